"""The agent's workspace: saved views, canned replies, presence."""

from __future__ import annotations

from peewee import (
    BooleanField,
    CharField,
    CompositeKey,
    DateTimeField,
    ForeignKeyField,
    TextField,
)

from portal import clock
from portal.accounts.models import JSONField, User
from portal.db import BaseModel
from portal.tickets.models import Ticket


class SavedView(BaseModel):
    """An agent's named set of queue filters."""

    user = ForeignKeyField(User, on_delete="CASCADE")
    name = CharField()
    filters = JSONField(default=dict)
    created_at = DateTimeField(default=clock.now)


class CannedReply(BaseModel):
    """A prepared answer in one language; ``owner`` None means shared with every agent."""

    owner = ForeignKeyField(User, null=True, on_delete="CASCADE")
    title = CharField()
    language = CharField()
    body = TextField()
    created_at = DateTimeField(default=clock.now)
    updated_at = DateTimeField(default=clock.now)


class Presence(BaseModel):
    """An agent has a ticket open (and is writing a reply) as of ``seen_at``."""

    ticket = ForeignKeyField(Ticket, on_delete="CASCADE")
    user = ForeignKeyField(User, on_delete="CASCADE")
    replying = BooleanField(default=False)
    typing_since = DateTimeField(null=True)
    seen_at = DateTimeField(default=clock.now)

    class Meta:
        primary_key = CompositeKey("ticket", "user")

