"""Invitations to join an organization. No Flask here.

The link carries the invitation's id, a random nonce and the invited address, signed
with the portal's secret key: changing any character makes it worthless. It is checked
against the stored row every time, so it works once (the row is marked accepted in the
same transaction that creates the account), for seven days, for that one address, and
only while the person who sent it may still invite people to that organization.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from portal import clock, settings
from portal.accounts import events
from portal.accounts.members import FILING_ROLES, check_contact_limit, may_manage
from portal.accounts.models import ORG_ROLES, Invitation, Organization, User
from portal.accounts.services import (
    _EMAIL,
    LOCALES,
    MIN_PASSWORD,
    hash_password,
    normalize_email,
    record,
)
from portal.cleaning import one_line
from portal.db import transaction
from portal.errors import N_, NotFound, ServiceError, Throttled

VALID_DAYS = 7
INVITES_PER_DAY = 20  # per organization; PORTAL setting INVITES_PER_DAY overrides

NOT_VALID = N_("This invitation link is not valid. Please check that you copied all of it.")
USED = N_("This invitation was already used. Please sign in instead.")
EXPIRED = N_("This invitation has expired. Please ask for a new one.")
WITHDRAWN = N_("This invitation is no longer valid. Please ask your organization's "
               "administrator for a new one.")
OTHER_ADDRESS = N_("This invitation was sent to another address.")


def _serializer():
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(settings.get("SECRET_KEY"), salt="invitation")


def invite_link(token: str) -> str:
    """The address people open from the mail (the one place it is built)."""
    return f"{settings.get('BASE_URL', '').rstrip('/')}/invite/{token}"


def _check_email(email: str) -> str:
    email = normalize_email(email)
    if not _EMAIL.match(email) or len(email) > 254:
        raise ServiceError(N_("%(email)s is not an e-mail address."), "email", email=email)
    return email


def invite(actor: User | None, org: Organization, email: str, org_role: str,
           mail: bool = True) -> tuple[Invitation, str]:
    """Invite ``email`` to ``org``; return the invitation and its signed token.

    ``actor`` None is the command line. An earlier unused invitation of the same address
    to the same organization stops working: only the newest link counts.
    """
    if not may_manage(actor, org):
        raise NotFound(N_("There is no such organization."))
    email = _check_email(email)
    if org_role not in ORG_ROLES:
        raise ServiceError(N_("The organization role must be one of: %(roles)s."), "org_role",
                           roles=", ".join(ORG_ROLES))
    now = clock.now()
    with transaction():
        if User.select().where(User.email == email).exists():
            raise ServiceError(N_("A user with the e-mail %(email)s already exists."),
                               "email", email=email)
        per_day = settings.get("INVITES_PER_DAY", INVITES_PER_DAY)
        sent = Invitation.select().where((Invitation.organization == org)
                                         & (Invitation.created_at > now - timedelta(days=1)))
        if sent.count() >= per_day:
            raise Throttled(N_("This organization has sent %(limit)d invitations in the last "
                               "24 hours. Please try again tomorrow."), "email", limit=per_day)
        if org_role in FILING_ROLES:
            check_contact_limit(org)
        Invitation.update(revoked_at=now).where(
            (Invitation.organization == org) & (Invitation.email == email)
            & Invitation.accepted_at.is_null() & Invitation.revoked_at.is_null()).execute()
        invitation = Invitation.create(
            organization=org, email=email, org_role=org_role, nonce=secrets.token_urlsafe(16),
            invited_by=actor, created_at=now, expires_at=now + timedelta(days=VALID_DAYS))
        token = _serializer().dumps({"i": invitation.id, "n": invitation.nonce, "e": email})
        record(actor, "invite", "invitation", invitation.id, email=email,
               organization=org.slug, org_role=[None, org_role])
        events.invitation_created.send(invitation, token=token, link=invite_link(token),
                                       mail=mail)
    return invitation, token


def invitation_for(token: str) -> Invitation:
    """The invitation a link names, if it may still be accepted; else :class:`ServiceError`."""
    from itsdangerous import BadSignature, SignatureExpired

    try:
        data = _serializer().loads(token, max_age=VALID_DAYS * 86400)
        invitation = Invitation.get_or_none(Invitation.id == int(data["i"]))
    except SignatureExpired:
        raise ServiceError(EXPIRED) from None
    except (BadSignature, KeyError, TypeError, ValueError):
        raise ServiceError(NOT_VALID) from None
    if (invitation is None or not secrets.compare_digest(invitation.nonce, str(data.get("n")))
            or invitation.email != data.get("e")):
        raise ServiceError(NOT_VALID)
    if invitation.accepted_at is not None:
        raise ServiceError(USED)
    if invitation.expires_at <= clock.now():
        raise ServiceError(EXPIRED)
    inviter = User.get_or_none(User.id == invitation.invited_by_id)
    if (invitation.revoked_at is not None or not invitation.organization.active
            or (invitation.invited_by_id is not None
                and (inviter is None or not may_manage(inviter, invitation.organization)))):
        raise ServiceError(WITHDRAWN)
    return invitation


@dataclass
class Acceptance:
    """The acceptance form as submitted."""

    name: str = ""
    password: str = ""
    email: str = ""  # optional: when sent, it must be the invited address
    locale: str = "ja"


def accept(token: str, form: Acceptance, signed_in: User | None = None) -> User:
    """Create the invited account; the invitation is spent in the same transaction."""
    invitation = invitation_for(token)
    if signed_in is not None and signed_in.email != invitation.email:
        raise ServiceError(OTHER_ADDRESS, "email")
    if form.email and normalize_email(form.email) != invitation.email:
        raise ServiceError(OTHER_ADDRESS, "email")
    name = one_line(form.name)
    if not name or len(name) > 100:
        raise ServiceError(N_("Please enter a name."), "name")
    if len(form.password or "") < MIN_PASSWORD:
        raise ServiceError(N_("Choose a password of at least 8 characters."), "password")
    password_hash = hash_password(form.password)
    now = clock.now()
    with transaction():
        invitation = invitation_for(token)  # again, under the write lock
        spent = Invitation.update(accepted_at=now).where(
            (Invitation.id == invitation.id) & Invitation.accepted_at.is_null()).execute()
        if not spent:
            raise ServiceError(USED)
        org = invitation.organization
        if User.select().where(User.email == invitation.email).exists():
            raise ServiceError(USED)
        if invitation.org_role in FILING_ROLES:
            try:
                check_contact_limit(org)
            except ServiceError as err:
                raise ServiceError(
                    N_("Your organization has reached its plan's limit of %(limit)d technical "
                       "contacts. Please ask its administrator."), **err.params) from None
        user = User.create(
            email=invitation.email, name=name, role="customer", password_hash=password_hash,
            organization=org, org_role=invitation.org_role,
            locale=form.locale if form.locale in LOCALES else None,
            timezone=settings.get("TIMEZONE", "Asia/Tokyo"),
            session_token=secrets.token_urlsafe(16))
        Invitation.update(accepted_user=user).where(Invitation.id == invitation.id).execute()
        record(user, "accept", "invitation", invitation.id, email=user.email,
               organization=org.slug, org_role=[None, invitation.org_role])
    return user


def pending(org: Organization) -> list[Invitation]:
    """Invitations of ``org`` that may still be accepted, newest first."""
    return list(Invitation.select().where(
        (Invitation.organization == org) & Invitation.accepted_at.is_null()
        & Invitation.revoked_at.is_null() & (Invitation.expires_at > clock.now()))
        .order_by(Invitation.created_at.desc()))


def revoke(actor: User | None, invitation_id: int | str) -> Invitation:
    """Withdraw an unused invitation of an organization the actor manages."""
    found = None
    if str(invitation_id).isdigit():
        found = Invitation.get_or_none(Invitation.id == int(invitation_id))
    if found is None or not may_manage(actor, found.organization):
        raise NotFound(N_("There is no such invitation."))
    with transaction():
        if Invitation.update(revoked_at=clock.now()).where(
                (Invitation.id == found.id) & Invitation.accepted_at.is_null()
                & Invitation.revoked_at.is_null()).execute():
            record(actor, "revoke", "invitation", found.id, email=found.email,
                   organization=found.organization.slug)
    return found
