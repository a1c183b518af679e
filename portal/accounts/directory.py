"""Organizations and users as site admins manage them. No Flask here.

Each change is one transaction holding its audit row, which names the actor and every
field that changed as ``[old, new]``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from peewee import JOIN

from portal.accounts import events
from portal.accounts.members import FILING_ROLES, check_contact_limit, set_org_role
from portal.accounts.models import (
    SITE_ROLES,
    Environment,
    Organization,
    Plan,
    User,
)
from portal.accounts.services import (
    LOCALES,
    _reset_fingerprint,
    _reset_serializer,
    create_org,
    create_user,
    hash_password,
    normalize_email,
    record,
)
from portal.cleaning import one_line
from portal.db import transaction
from portal.errors import N_, NotFound, ServiceError

SITE_RANK = {"customer": 0, "agent": 1, "admin": 2}
MAX_ENVIRONMENTS = 50


# --- organizations -----------------------------------------------------------------------

@dataclass
class OrgInput:
    """The organization form as typed."""

    name: str = ""
    slug: str = ""
    plan: str = ""
    trial: bool = False
    environments: str = ""  # one per line

    def environment_names(self) -> list[str]:
        names = []
        for line in self.environments.splitlines():
            line = line.strip()[:100]
            if line and line not in names:
                names.append(line)
        if len(names) > MAX_ENVIRONMENTS:
            raise ServiceError(N_("At most %(n)d environments."), "environments",
                               n=MAX_ENVIRONMENTS)
        return names


def org_input(org: Organization) -> OrgInput:
    envs = Environment.select().where(Environment.organization == org).order_by(Environment.id)
    return OrgInput(name=org.name, slug=org.slug, plan=org.plan.code, trial=org.trial,
                    environments="\n".join(e.name for e in envs))


def org_by_slug(slug: str) -> Organization:
    org = Organization.get_or_none(Organization.slug == slug)
    if org is None:
        raise NotFound(N_("There is no organization %(org)s."), "org", org=slug)
    return org


def search_orgs(q: str = "", state: str = ""):
    """Organizations by name, matching ``q`` in name or slug."""
    query = Organization.select(Organization, Plan).join(Plan).order_by(Organization.name)
    q = (q or "").strip()[:100]
    if q:
        query = query.where(Organization.name.contains(q) | Organization.slug.contains(q))
    if state in ("active", "inactive"):
        query = query.where(Organization.active == (state == "active"))
    return query


def add_org(actor: User | None, data: OrgInput) -> Organization:
    names = data.environment_names()
    with transaction():
        org = create_org(data.name, data.slug, data.plan, data.trial)
        for name in names:
            Environment.create(organization=org, name=name)
        record(actor, "create", "organization", org.id, slug=org.slug, name=[None, org.name],
               plan=[None, data.plan], trial=[None, data.trial])
    return org


def update_org(actor: User | None, org: Organization, data: OrgInput) -> Organization:
    """Name, plan, trial and environments (an environment tickets name cannot go)."""
    from portal.tickets.models import Ticket  # tickets build on accounts; only asked here

    name = one_line(data.name)
    if not name:
        raise ServiceError(N_("The organization needs a name."), "name")
    names = data.environment_names()
    with transaction():
        org = Organization.get_by_id(org.id)
        plan = Plan.get_or_none(Plan.code == data.plan)
        if plan is None:
            raise ServiceError(N_("There is no plan called %(plan)s."), "plan", plan=data.plan)
        changes = {}
        for field, new in (("name", name), ("plan", plan.code), ("trial", bool(data.trial))):
            old = org.plan.code if field == "plan" else getattr(org, field)
            if old != new:
                changes[field] = [old, new]
        existing = {e.name: e for e in Environment.select().where(Environment.organization == org)}
        gone = [e for n, e in existing.items() if n not in names]
        for env in gone:
            if Ticket.select().where(Ticket.environment == env).exists():
                raise ServiceError(N_("%(env)s is named by tickets and cannot be removed."),
                                   "environments", env=env.name)
            env.delete_instance()
        added = [n for n in names if n not in existing]
        for env_name in added:
            Environment.create(organization=org, name=env_name)
        if gone or added:
            changes["environments"] = [sorted(existing), names]
        org.name, org.plan, org.trial = name, plan, bool(data.trial)
        org.save(only=[Organization.name, Organization.plan, Organization.trial])
        if changes:
            record(actor, "update", "organization", org.id, slug=org.slug, **changes)
    return org


def set_org_active(actor: User | None, org: Organization, active: bool) -> Organization:
    """Nobody of a deactivated organization can sign in or file."""
    with transaction():
        org = Organization.get_by_id(org.id)
        if org.active != active:
            org.active = active
            org.save(only=[Organization.active])
            record(actor, "activate" if active else "deactivate", "organization", org.id,
                   slug=org.slug, active=[not active, active])
    return org


# --- users -------------------------------------------------------------------------------

@dataclass
class UserInput:
    """The user form as typed (``password`` only when creating)."""

    email: str = ""
    name: str = ""
    role: str = "customer"
    org: str = ""
    org_role: str = "contact"
    locale: str = ""
    password: str = ""


def user_input(user: User) -> UserInput:
    return UserInput(email=user.email, name=user.name, role=user.role,
                     org=user.organization.slug if user.organization_id else "",
                     org_role=user.org_role or "", locale=user.locale or "")


def user_by_id(user_id: int) -> User:
    user = User.get_or_none(User.id == user_id)
    if user is None:
        raise NotFound(N_("There is no such user."))
    return user


def search_users(q: str = "", role: str = "", org: str = "", state: str = ""):
    """Users matching ``q`` in name or e-mail, with optional role, organization and state."""
    query = (User.select(User, Organization).join(Organization, JOIN.LEFT_OUTER)
             .order_by(User.name))
    q = (q or "").strip()[:100]
    if q:
        query = query.where(User.name.contains(q) | User.email.contains(normalize_email(q)))
    if role in SITE_ROLES:
        query = query.where(User.role == role)
    if org:
        query = query.where(Organization.slug == org)
    if state in ("active", "inactive"):
        query = query.where(User.active == (state == "active"))
    return query


def add_user(actor: User | None, data: UserInput) -> User:
    if len(data.password or "") < 8:
        raise ServiceError(N_("Choose a password of at least 8 characters."), "password")
    customer = data.role == "customer"
    with transaction():
        if customer and (data.org_role or "contact") in FILING_ROLES and data.org:
            org = Organization.get_or_none(Organization.slug == data.org)
            if org is not None:
                check_contact_limit(org)
        user = create_user(data.email, data.name, data.role, data.password,
                           org=data.org or None if customer else None,
                           org_role=data.org_role or None if customer else None,
                           locale=data.locale or None)
        record(actor, "create", "user", user.id, email=user.email, role=[None, user.role],
               organization=data.org if customer else None,
               org_role=[None, user.org_role] if customer else None)
    return user


def _keep_a_site_admin(user: User) -> None:
    others = User.select().where((User.role == "admin") & User.active & (User.id != user.id))
    if not others.exists():
        raise ServiceError(N_("The portal needs at least one active admin."), "role")


def update_user(actor: User, user: User, data: UserInput) -> User:
    """Name, language, site role (staff) and org role (customers), each by its rule."""
    name = one_line(data.name)
    if not name or len(name) > 100:
        raise ServiceError(N_("Please enter a name."), "name")
    if data.locale and data.locale not in LOCALES:
        raise ServiceError(N_("The language must be ja or en."), "locale")
    if data.role not in SITE_ROLES:
        raise ServiceError(N_("The role must be one of: %(roles)s."), "role",
                           roles=", ".join(SITE_ROLES))
    with transaction():
        user = User.get_by_id(user.id)
        if (data.role == "customer") != (user.role == "customer"):
            raise ServiceError(N_("Customers and staff are separate accounts: create a new "
                                  "user instead."), "role")
        if user.id == actor.id and SITE_RANK[data.role] > SITE_RANK[user.role]:
            raise ServiceError(N_("Nobody can raise their own role."), "role")
        if user.role == "admin" and data.role != "admin":
            _keep_a_site_admin(user)
        changes = {}
        for field, new in (("name", name), ("locale", data.locale or None),
                           ("role", data.role)):
            if getattr(user, field) != new:
                changes[field] = [getattr(user, field), new]
                setattr(user, field, new)
        if changes:
            user.save(only=[User.name, User.locale, User.role])
            record(actor, "update", "user", user.id, email=user.email, **changes)
        if user.role == "customer" and data.org_role and data.org_role != user.org_role:
            set_org_role(actor, user, data.org_role)
    return User.get_by_id(user.id)


def set_user_active(actor: User, user: User, active: bool) -> User:
    """Staff by the site's rule; customers by their organization's (see members)."""
    from portal.accounts.members import set_member_active

    if user.organization_id is not None:
        return set_member_active(actor, user, active)
    with transaction():
        user = User.get_by_id(user.id)
        if user.active == active:
            return user
        if not active and user.role == "admin":
            _keep_a_site_admin(user)
        user.active = active
        if not active:
            user.session_token = secrets.token_urlsafe(16)
        user.save(only=[User.active, User.session_token])
        record(actor, "activate" if active else "deactivate", "user", user.id,
               email=user.email, active=[not active, active])
    return user


def force_password_reset(actor: User, user: User) -> None:
    """The old password stops working, every session ends, and a reset link is mailed."""
    unusable = hash_password(secrets.token_urlsafe(32))
    with transaction():
        user = User.get_by_id(user.id)
        user.password_hash = unusable
        user.session_token = secrets.token_urlsafe(16)
        user.save(only=[User.password_hash, User.session_token])
        record(actor, "force_password_reset", "user", user.id, email=user.email)
        token = _reset_serializer().dumps({"id": user.id, "fp": _reset_fingerprint(user)})
        events.password_reset_requested.send(user, token=token)
