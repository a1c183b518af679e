"""Queued mail and the log of mail received."""

from __future__ import annotations

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from portal import clock
from portal.db import BaseModel
from portal.tickets.models import Ticket


class Outbox(BaseModel):
    """One e-mail to send; written in the transaction of the change it tells about."""

    to_address = CharField()
    subject = CharField()
    text_body = TextField()
    html_body = TextField(default="")
    message_id = CharField(unique=True)  # stable: a resend is recognisably the same mail
    in_reply_to = CharField(default="")
    ticket = ForeignKeyField(Ticket, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=clock.now)
    send_after = DateTimeField(default=clock.now)
    claimed_until = DateTimeField(null=True)  # a sender is working on it until then
    attempts = IntegerField(default=0)
    last_error = TextField(default="")
    sent_at = DateTimeField(null=True)
    failed_at = DateTimeField(null=True)  # given up: refused for good or out of attempts
    reply_to = CharField(default="")  # the recipient's own reply address for this ticket

    @property
    def state(self) -> str:
        """``queued``, ``sent`` or ``failed``."""
        return "sent" if self.sent_at else "failed" if self.failed_at else "queued"


class InboundLog(BaseModel):
    """One row per mail received. ``message_id`` is unique: the row of the mail's first
    arrival holds it, so a second arrival of the same mail is recognised and dropped."""

    sender = CharField()
    subject = CharField()
    outcome = CharField()  # appended | rejected | answered | ignored | duplicate | error
    detail = TextField(default="")
    ticket = ForeignKeyField(Ticket, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=clock.now)
    message_id = CharField(null=True, unique=True)


class AutoReply(BaseModel):
    """A "this ticket is closed" answer sent to ``address`` on ``day`` (unique pair)."""

    address = CharField()
    day = CharField()  # YYYY-MM-DD in the portal's time zone
    created_at = DateTimeField(default=clock.now)

    class Meta:
        table_name = "mail_auto_reply"
