"""Ticket types, tickets, who takes part, messages and attachments: data only."""

from __future__ import annotations

from peewee import (
    BooleanField,
    CharField,
    CompositeKey,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from portal import clock
from portal.accounts.models import Environment, JSONField, Organization, Plan, Product, User
from portal.db import BaseModel

STATUSES = ("new", "investigating", "waiting_on_customer", "resolved", "closed")
OPEN_STATUSES = ("new", "investigating", "waiting_on_customer")
SEVERITIES = (1, 2, 3, 4)
KINDS = ("incident", "question", "request", "billing", "account", "callback")
EXTRA_FIELDS = ("occurred_at", "product", "environment", "phone")
INCIDENT_STATES = ("ongoing", "intermittent", "recovered")
RATINGS = ("good", "bad")


class TicketType(BaseModel):
    code = CharField(unique=True)
    name_en = CharField()
    name_ja = CharField()
    kind = CharField()
    template_en = TextField(default="")
    template_ja = TextField(default="")
    asks = JSONField(default=list)  # which of EXTRA_FIELDS the form asks for
    position = IntegerField(default=0)
    active = BooleanField(default=True)

    def name(self, locale: str) -> str:
        return self.name_ja if locale == "ja" else self.name_en

    def template(self, locale: str) -> str:
        return self.template_ja if locale == "ja" else self.template_en

    def asks_for(self, field: str) -> bool:
        return field in (self.asks or [])


class PlanTicketType(BaseModel):
    plan = ForeignKeyField(Plan, on_delete="CASCADE")
    ticket_type = ForeignKeyField(TicketType, on_delete="CASCADE")

    class Meta:
        primary_key = CompositeKey("plan", "ticket_type")


class Counter(BaseModel):
    name = CharField(primary_key=True)
    value = IntegerField()


class Ticket(BaseModel):
    number = IntegerField(unique=True)
    organization = ForeignKeyField(Organization)
    requester = ForeignKeyField(User, backref="requested_tickets")
    created_by = ForeignKeyField(User)
    type = ForeignKeyField(TicketType)
    product = ForeignKeyField(Product, null=True)
    environment = ForeignKeyField(Environment, null=True)
    severity = IntegerField()
    priority = IntegerField()
    status = CharField(default="new")
    subject = CharField()
    assignee = ForeignKeyField(User, null=True)
    escalated = BooleanField(default=False)
    escalation_reason = TextField(default="")
    follow_up_of = ForeignKeyField("self", null=True)
    occurred_at = DateTimeField(null=True)
    incident_state = CharField(default="")
    phone = CharField(default="")
    submission = CharField(null=True, unique=True)  # the form's one-time token
    created_at = DateTimeField(default=clock.now)
    updated_at = DateTimeField(default=clock.now)
    last_activity_at = DateTimeField(default=clock.now)
    first_response_due = DateTimeField(null=True)
    resolution_due = DateTimeField(null=True)
    first_response_at = DateTimeField(null=True)
    resolved_at = DateTimeField(null=True)
    closed_at = DateTimeField(null=True)
    status_changed_at = DateTimeField(default=clock.now)
    response_breached = BooleanField(default=False)
    resolution_breached = BooleanField(default=False)
    last_public_author = ForeignKeyField(User, null=True)  # None: the description
    customer_spoke_last = BooleanField(default=True)
    next_response_since = DateTimeField(null=True)  # the customer reply that started it
    next_response_due = DateTimeField(null=True)
    next_responded_at = DateTimeField(null=True)
    next_response_breached = BooleanField(default=False)
    sla_due = DateTimeField(null=True)  # the earliest due time still running
    sla_risk_at = DateTimeField(null=True)  # the earliest moment a running one is at risk
    sla_alert_at = DateTimeField(null=True)  # when the tick must look at it again

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Participant(BaseModel):
    ticket = ForeignKeyField(Ticket, backref="participants", on_delete="CASCADE")
    user = ForeignKeyField(User)

    class Meta:
        primary_key = CompositeKey("ticket", "user")


class Message(BaseModel):
    ticket = ForeignKeyField(Ticket, backref="messages", on_delete="CASCADE")
    author = ForeignKeyField(User, null=True)
    kind = CharField(default="reply")  # reply | note (staff only) | event
    body = TextField()
    body_html = TextField()
    channel = CharField(default="web")
    created_at = DateTimeField(default=clock.now)


class Attachment(BaseModel):
    message = ForeignKeyField(Message, backref="attachments", on_delete="CASCADE")
    ticket = ForeignKeyField(Ticket, on_delete="CASCADE")
    filename = CharField()  # the sender's name for it: data only, never a path
    stored_name = CharField(unique=True)
    content_type = CharField()
    size = IntegerField()
    sha256 = CharField()
    created_at = DateTimeField(default=clock.now)


class SlaPause(BaseModel):
    """A time the resolution clock stood still (waiting on the customer, or resolved)."""

    ticket = ForeignKeyField(Ticket, backref="sla_pauses", on_delete="CASCADE")
    started_at = DateTimeField()
    ended_at = DateTimeField(null=True)


class SlaNotice(BaseModel):
    """An at-risk or breach warning that was sent: one per ticket, target, kind, round."""

    ticket = ForeignKeyField(Ticket, on_delete="CASCADE")
    target = CharField()
    kind = CharField()
    started_at = DateTimeField()
    created_at = DateTimeField(default=clock.now)


class Satisfaction(BaseModel):
    """The requester's one vote on how a resolved ticket went (changeable until closed)."""

    ticket = ForeignKeyField(Ticket, unique=True, on_delete="CASCADE")
    voter = ForeignKeyField(User)
    rating = CharField()  # one of RATINGS
    comment = TextField(default="")
    created_at = DateTimeField(default=clock.now)
    updated_at = DateTimeField(default=clock.now)
