"""Organizations, plans, users and the service menu: data and data rules only."""

from __future__ import annotations

import json

from flask_login import UserMixin
from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from portal import clock
from portal.db import BaseModel

SITE_ROLES = ("customer", "agent", "admin")
ORG_ROLES = ("org_admin", "contact", "member")
STAFF_ROLES = ("agent", "admin")


class JSONField(TextField):
    """A small JSON document stored as text (portable to PostgreSQL as-is)."""

    def db_value(self, value):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    def python_value(self, value):
        return json.loads(value) if value else {}


class Plan(BaseModel):
    code = CharField(unique=True)
    name_en = CharField()
    name_ja = CharField()
    around_the_clock = BooleanField(default=False)  # severity 1-2 handled 24/7
    response_minutes = JSONField(default=dict)  # {"1": 60, "2": 240, ...}
    resolution_minutes = JSONField(default=dict)
    position = IntegerField(default=0)
    default_severity = IntegerField(default=3)  # what trial organizations get
    # How many active members may file tickets (org admins and contacts); None: no limit.
    contact_limit = IntegerField(null=True)

    def name(self, locale: str) -> str:
        return self.name_ja if locale == "ja" else self.name_en


class Organization(BaseModel):
    name = CharField()
    slug = CharField(unique=True)
    plan = ForeignKeyField(Plan, backref="organizations")
    trial = BooleanField(default=False)
    active = BooleanField(default=True)
    created_at = DateTimeField(default=clock.now)


class Environment(BaseModel):
    """One of the customer's own tenants or sites, offered as "affected environment"."""

    organization = ForeignKeyField(Organization, backref="environments", on_delete="CASCADE")
    name = CharField()


class Product(BaseModel):
    code = CharField(unique=True)
    name_en = CharField()
    name_ja = CharField()
    versions = TextField(default="")  # comma-separated, newest first
    active = BooleanField(default=True)

    def name(self, locale: str) -> str:
        return self.name_ja if locale == "ja" else self.name_en


class User(UserMixin, BaseModel):
    email = CharField(unique=True)  # always stored normalized: see services.normalize_email
    name = CharField()
    password_hash = CharField()
    role = CharField()
    organization = ForeignKeyField(Organization, null=True, backref="users")
    org_role = CharField(null=True)
    locale = CharField(null=True)
    timezone = CharField(default="Asia/Tokyo")
    active = BooleanField(default=True)
    # Part of the login cookie; rotating it signs out every copy of that cookie.
    session_token = CharField()
    created_at = DateTimeField(default=clock.now)
    last_login_at = DateTimeField(null=True)
    notify_own = BooleanField(default=True)  # mail me about what I did myself, too

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active and (self.organization_id is None or self.organization.active)

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class LoginThrottle(BaseModel):
    # "account:<email>|<client>", "address:<client>" (see services.client_key),
    # "reset:<user id>", "preview:<user id>"
    key = CharField(primary_key=True)
    failures = IntegerField(default=0)
    window_start = DateTimeField()
    locked_until = DateTimeField(null=True)


class Audit(BaseModel):
    actor = ForeignKeyField(User, null=True)
    action = CharField()
    object_type = CharField()
    object_id = IntegerField(null=True)
    detail = JSONField(default=dict)
    created_at = DateTimeField(default=clock.now)


class Invitation(BaseModel):
    """An e-mailed offer to join an organization; the link carries a signed ``nonce``."""

    organization = ForeignKeyField(Organization, backref="invitations", on_delete="CASCADE")
    email = CharField()  # normalized, as User.email
    org_role = CharField()
    nonce = CharField(unique=True)
    invited_by = ForeignKeyField(User, null=True)
    created_at = DateTimeField(default=clock.now)
    expires_at = DateTimeField()
    accepted_at = DateTimeField(null=True)
    accepted_user = ForeignKeyField(User, null=True)
    revoked_at = DateTimeField(null=True)
