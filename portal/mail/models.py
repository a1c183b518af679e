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


class InboundLog(BaseModel):
    sender = CharField()
    subject = CharField()
    outcome = CharField()  # appended | rejected | answered | ignored
    detail = TextField(default="")
    ticket = ForeignKeyField(Ticket, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=clock.now)
