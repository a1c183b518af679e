"""Business calendars, their holidays, and SLA policies: data only."""

from __future__ import annotations

from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField

from portal import clock
from portal.accounts.models import JSONField, Plan
from portal.db import BaseModel

TARGETS = ("first_response", "next_response", "resolution")
PRIORITIES = (1, 2, 3, 4)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Calendar(BaseModel):
    name = CharField(unique=True)
    timezone = CharField()
    hours = JSONField(default=dict)  # {"mon": [["09:00", "18:00"]], ...}
    national_holidays = CharField(default="")  # a country code such as "jp", or ""
    year_end = BooleanField(default=False)  # closed 29 December – 3 January
    updated_at = DateTimeField(default=clock.now)  # changes with its holidays, too


class CalendarHoliday(BaseModel):
    calendar = ForeignKeyField(Calendar, backref="holidays", on_delete="CASCADE")
    day = DateField()
    name = CharField(default="")
    yearly = BooleanField(default=False)  # the same month and day every year


class SlaPolicy(BaseModel):
    """One promise: on ``plan`` at ``priority``, ``target`` within ``minutes`` of counted
    time, counted on ``calendar`` (around the clock when there is none)."""

    plan = ForeignKeyField(Plan, on_delete="CASCADE")
    priority = IntegerField()
    target = CharField()
    minutes = IntegerField()
    calendar = ForeignKeyField(Calendar, null=True)
    updated_at = DateTimeField(default=clock.now)
