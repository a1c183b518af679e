"""Who belongs to an organization, with which right: rules shared by org admins and site
admins. No Flask here.

Every function takes the ``actor`` and decides itself whether the actor may act: an org
admin only on people of their own organization (anyone else does not exist for them),
nobody on their own role upwards, and never leaving an organization without an active
org admin.
"""

from __future__ import annotations

import secrets

from portal.accounts.models import ORG_ROLES, Organization, User
from portal.accounts.services import record
from portal.db import transaction
from portal.errors import N_, NotFound, ServiceError

ROLE_RANK = {"member": 0, "contact": 1, "org_admin": 2}
FILING_ROLES = ("org_admin", "contact")  # may file tickets: they count toward the limit


def may_manage(actor: User | None, org: Organization) -> bool:
    """Site admins manage every organization; an org admin only their own."""
    if actor is None:
        return True  # the command line
    if not actor.is_active:
        return False
    return actor.is_admin or (actor.org_role == "org_admin" and actor.organization_id == org.id)


def member_for(actor: User, member_id: int | str) -> User:
    """A customer ``actor`` may manage, or :class:`NotFound` (never says whether it exists)."""
    found = None
    if str(member_id).isdigit():
        found = User.get_or_none(User.id == int(member_id))
    if found is None or found.organization_id is None or not may_manage(actor, found.organization):
        raise NotFound(N_("There is no such member."))
    return found


def members(org: Organization):
    """The organization's people, active first, org admins first, then by name."""
    return (User.select().where(User.organization == org)
            .order_by(User.active.desc(), User.org_role, User.name))


def filing_count(org: Organization) -> int:
    return User.select().where((User.organization == org) & User.active
                               & User.org_role.in_(FILING_ROLES)).count()


def check_contact_limit(org: Organization) -> None:
    """Refuse one more technical contact when the plan's limit is reached."""
    limit = org.plan.contact_limit
    if limit is not None and filing_count(org) >= limit:
        raise ServiceError(
            N_("Your plan allows at most %(limit)d technical contacts (org admins included). "
               "Revoke the right from someone first."), "org_role", limit=limit)


def _keep_an_admin(org: Organization, member: User) -> None:
    others = User.select().where((User.organization == org) & User.active
                                 & (User.org_role == "org_admin") & (User.id != member.id))
    if not others.exists():
        raise ServiceError(
            N_("An organization needs at least one active org admin. Make someone else org "
               "admin first."), "org_role")


def set_org_role(actor: User | None, member: User, org_role: str) -> User:
    """Change ``member``'s role in their organization, within every rule."""
    if org_role not in ORG_ROLES:
        raise ServiceError(N_("The organization role must be one of: %(roles)s."), "org_role",
                           roles=", ".join(ORG_ROLES))
    with transaction():
        member = User.get_by_id(member.id)  # decide on the stored state, not a stale copy
        if member.organization_id is None or not may_manage(actor, member.organization):
            raise NotFound(N_("There is no such member."))
        old = member.org_role
        if old == org_role:
            return member
        if actor is not None and actor.id == member.id and ROLE_RANK[org_role] > ROLE_RANK[old]:
            raise ServiceError(N_("Nobody can raise their own role."), "org_role")
        if old == "org_admin" and member.active:
            _keep_an_admin(member.organization, member)
        if org_role in FILING_ROLES and old not in FILING_ROLES and member.active:
            check_contact_limit(member.organization)
        member.org_role = org_role
        member.save(only=[User.org_role])
        record(actor, "org_role", "user", member.id, email=member.email,
               organization=member.organization.slug, org_role=[old, org_role])
    return member


def set_member_active(actor: User | None, member: User, active: bool) -> User:
    """Deactivate (every session ends at once) or reactivate a member."""
    with transaction():
        member = User.get_by_id(member.id)
        if member.organization_id is None or not may_manage(actor, member.organization):
            raise NotFound(N_("There is no such member."))
        if member.active == active:
            return member
        if not active and member.org_role == "org_admin":
            _keep_an_admin(member.organization, member)
        if active and member.org_role in FILING_ROLES:
            check_contact_limit(member.organization)
        member.active = active
        if not active:
            member.session_token = secrets.token_urlsafe(16)
        member.save(only=[User.active, User.session_token])
        record(actor, "activate" if active else "deactivate", "user", member.id,
               email=member.email, organization=member.organization.slug,
               active=[not active, active])
    return member
