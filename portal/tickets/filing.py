"""Filing a ticket: the form, what the filer may choose, every check, and the creation.

No Flask here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from peewee import IntegrityError

from portal import clock
from portal.accounts.models import Environment, Organization, Product, User
from portal.accounts.services import normalize_email
from portal.cleaning import one_line
from portal.db import Prepared, transaction
from portal.errors import N_, ServiceError
from portal.numbers import parse_id
from portal.text import render_markdown
from portal.tickets import events, policy, sla_clock, uploads
from portal.tickets.listing import find_ticket
from portal.tickets.models import (
    INCIDENT_STATES,
    SEVERITIES,
    Attachment,
    Message,
    Participant,
    PlanTicketType,
    Ticket,
    TicketType,
)
from portal.tickets.numbering import next_number

MAX_SUBJECT = 200
MAX_DESCRIPTION = 50_000
_PHONE = re.compile(r"^\+?[0-9()\- ]{6,24}$")


class Invalid(ServiceError):
    """The form has errors; ``errors`` maps each field to its message key."""

    def __init__(self, errors: dict[str, str], params: dict[str, dict] | None = None):
        super().__init__(N_("Please correct the marked fields."))
        self.errors = errors
        self.field_params = params or {}


@dataclass
class TicketInput:
    """A ticket form as submitted (every value a string, as typed)."""

    type: str = ""
    severity: str = ""
    product: str = ""
    environment: str = ""
    subject: str = ""
    description: str = ""
    occurred_at: str = ""  # "YYYY-MM-DDTHH:MM" in the user's time zone
    incident_state: str = ""
    phone: str = ""
    participants: list[str] = field(default_factory=list)  # e-mail addresses
    requester: str = ""  # e-mail, when filing on behalf of a colleague
    follow_up: str = ""  # number of the closed ticket this continues
    submission: str = ""  # one-time token of the form, against double submits
    files: list[uploads.Upload] = field(default_factory=list)


# --- what a user may choose ---------------------------------------------------------------

# The new-request form reads these on every visit: each query is composed once
# (see ``portal.db.Prepared``).
_ALL_TYPES = Prepared(lambda active: TicketType.select().where(TicketType.active == active)
                      .order_by(TicketType.position), True)
_PLAN_TYPES = Prepared(lambda active, plan: TicketType.select()
                       .where(TicketType.active == active).order_by(TicketType.position)
                       .join(PlanTicketType).where(PlanTicketType.plan == plan), True, -1)
# Only what the form shows of them (a name and an address each).
_COLLEAGUES = Prepared(lambda org, active, user: User.select(User.id, User.name, User.email)
                       .where((User.organization == org) & (User.active == active)
                              & (User.id != user)).order_by(User.name), -1, True, -2)
_ENVIRONMENTS = Prepared(lambda org: Environment.select().where(Environment.organization == org)
                         .order_by(Environment.name), -1)


def types_for(org: Organization | None) -> list[TicketType]:
    """Ticket types the organization's plan offers (every active type when unknown)."""
    if org is None:
        return _ALL_TYPES.rows(True)
    return _PLAN_TYPES.rows(True, org.plan_id)


def colleagues(user: User) -> list[User]:
    """Active people of the user's organization, for participants and on-behalf: their
    id, name and e-mail address only."""
    if user.organization_id is None:
        return []
    return _COLLEAGUES.rows(user.organization_id, True, user.id)


def environments(org: Organization | None) -> list[Environment]:
    if org is None:
        return []
    return _ENVIRONMENTS.rows(org.id)


def prefill(user: User, type_code: str, follow_up: str, submission: str,
            locale: str, offered: list[TicketType] | None = None) -> TicketInput:
    """A fresh form: the chosen (or first) type with its outline; a follow-up copies the
    closed ticket's type, product, environment, severity and the people copied, and
    marks its subject as a continuation. ``offered``: the user's ``types_for``, when the
    caller has it already."""
    org = user.organization if not user.is_staff else None
    offered = types_for(org) if offered is None else offered
    data = TicketInput(submission=submission)
    if follow_up:
        earlier = find_ticket(user, follow_up)
        if earlier is not None and earlier.status == "closed":
            data.follow_up = str(earlier.number)
            data.subject = follow_up_subject(earlier.subject, locale)
            type_code = type_code or earlier.type.code
            data.product = earlier.product.code if earlier.product_id else ""
            data.environment = str(earlier.environment_id or "")
            data.severity = str(earlier.severity)
            data.participants = [p.user.email for p in Participant.select(Participant, User)
                                 .join(User).where((Participant.ticket == earlier.id)
                                                   & User.active)]
            if earlier.requester_id != user.id and user.id != earlier.created_by_id:
                data.participants.append(earlier.requester.email)
    chosen = next((t for t in offered if t.code == type_code), offered[0] if offered else None)
    if chosen is not None:
        data.type = chosen.code
        data.description = chosen.template(locale)
    if org is not None and org.trial:
        data.severity = str(org.plan.default_severity)
    return data


FOLLOW_UP_PREFIXES = {"ja": "(続き) ", "en": "Follow-up: "}


def follow_up_subject(subject: str, locale: str) -> str:
    """「(続き) …」 / "Follow-up: …", once: a follow-up of a follow-up keeps one prefix."""
    for prefix in FOLLOW_UP_PREFIXES.values():
        if subject.startswith(prefix):
            subject = subject[len(prefix):]
            break
    prefix = FOLLOW_UP_PREFIXES.get(locale, FOLLOW_UP_PREFIXES["en"])
    return (prefix + subject)[:MAX_SUBJECT]


# --- filing --------------------------------------------------------------------------------

@dataclass
class _Checked:
    org: Organization
    requester: User
    type: TicketType
    severity: int
    product: Product | None
    environment: Environment | None
    occurred_at: datetime | None
    participants: list[User]
    follow_up: Ticket | None


def _requester(user: User, data: TicketInput, errors: dict) -> User | None:
    if not data.requester.strip() or normalize_email(data.requester) == user.email:
        if user.is_staff:
            errors["requester"] = N_("Choose the customer this ticket is for.")
            return None
        return user
    if not policy.can_file_on_behalf(user):
        errors["requester"] = N_("Only organization admins and staff can file for someone "
                                 "else.")
        return None
    found = User.get_or_none(User.email == normalize_email(data.requester))
    same_org = found is not None and (user.is_staff or
                                      found.organization_id == user.organization_id)
    if not same_org or found.role != "customer" or not found.is_active:
        errors["requester"] = N_("%(email)s is not an active member of the organization.")
        return None
    return found


def _check(user: User, data: TicketInput, tz: str) -> tuple[_Checked | None, dict, dict]:
    """Every field checked at once, so the form can show every problem together."""
    errors: dict[str, str] = {}
    params: dict[str, dict] = {}
    data.subject = one_line(data.subject)
    requester = _requester(user, data, errors)
    if "requester" in errors:
        params["requester"] = {"email": data.requester.strip()}
    org = requester.organization if requester else None

    ticket_type = None
    offered = {t.code: t for t in types_for(org)}
    if data.type not in offered:
        errors["type"] = N_("Please choose a type your plan offers.")
    else:
        ticket_type = offered[data.type]

    severity = org.plan.default_severity if org and org.trial else None
    if severity is None:
        if data.severity.strip() in {str(s) for s in SEVERITIES}:
            severity = int(data.severity)
        else:
            errors["severity"] = N_("Please choose a severity.")

    if not data.subject:
        errors["subject"] = N_("Please enter a subject.")
    elif len(data.subject) > MAX_SUBJECT:
        errors["subject"] = N_("The subject is too long (200 characters at most).")
    if not data.description.strip():
        errors["description"] = N_("Please describe your request.")
    elif len(data.description) > MAX_DESCRIPTION:
        errors["description"] = N_("The description is too long (50,000 characters at "
                                   "most).")
    elif ticket_type and data.description.strip() in _templates(ticket_type):
        errors["description"] = N_("Please fill in the outline with your details.")

    product = environment = occurred = None
    if data.product:
        product = Product.get_or_none((Product.code == data.product) & Product.active)
        if product is None:
            errors["product"] = N_("Please choose a product from the list.")
    if data.environment:
        environment = Environment.get_or_none(
            (Environment.id == _int(data.environment)) & (Environment.organization == org))
        if environment is None:
            errors["environment"] = N_("Please choose one of your environments.")
    # Asked for, not required: someone reporting an outage may not know when it began.
    if ticket_type and ticket_type.asks_for("occurred_at") and data.occurred_at.strip():
        occurred = _occurred_at(data.occurred_at, tz, errors)
    if data.incident_state and data.incident_state not in INCIDENT_STATES:
        errors["incident_state"] = N_("Please tell us whether it is still happening.")
    if ticket_type and ticket_type.asks_for("phone") and not _PHONE.match(data.phone.strip()):
        errors["phone"] = N_("Please enter a phone number we can call.")

    participants = _participants(requester, user, data.participants, errors, params)
    follow_up = _follow_up(user, data.follow_up, errors)
    if errors:
        return None, errors, params
    return _Checked(org, requester, ticket_type, severity, product, environment, occurred,
                    participants, follow_up), errors, params


def _templates(ticket_type: TicketType) -> set[str]:
    """The type's outlines, untouched: sending one of them says nothing."""
    return {t.strip() for t in (ticket_type.template_ja, ticket_type.template_en)} - {""}


def _int(text: str) -> int:
    found = parse_id(text)
    return -1 if found is None else found


def _occurred_at(text: str, tz: str, errors: dict) -> datetime | None:
    if not text.strip():
        errors["occurred_at"] = N_("Please tell us when it happened.")
        return None
    try:
        local = datetime.fromisoformat(text.strip())
    except ValueError:
        errors["occurred_at"] = N_("Please enter a date and time.")
        return None
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(tz))
    moment = local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    if moment > clock.now() + timedelta(minutes=5):
        errors["occurred_at"] = N_("The time it happened cannot be in the future.")
        return None
    return moment


def _participants(requester: User | None, user: User, emails: list[str], errors: dict,
                  params: dict) -> list[User]:
    wanted = []
    for raw in emails:
        for email in re.split(r"[\s,;、]+", raw or ""):
            email = normalize_email(email)
            if email and email not in wanted:
                wanted.append(email)
    if requester is None or not wanted:
        return []
    found = {u.email: u for u in User.select().where(
        (User.email.in_(wanted)) & (User.organization == requester.organization_id)
        & User.active)}
    outside = [e for e in wanted if e not in found]
    if outside:
        # The same words whether the address exists elsewhere or not at all.
        errors["participants"] = N_("Not a colleague in your organization: %(emails)s")
        params["participants"] = {"emails": ", ".join(outside)}
    return [found[e] for e in wanted if e in found and found[e].id != requester.id]


def _follow_up(user: User, number: str, errors: dict) -> Ticket | None:
    if not number:
        return None
    ticket = find_ticket(user, number)
    if ticket is None:
        errors["follow_up"] = N_("The earlier ticket was not found.")
        return None
    if ticket.status != "closed":
        errors["follow_up"] = N_("Only a closed ticket can have a follow-up.")
        return None
    return ticket


def file_ticket(user: User, data: TicketInput, tz: str = "Asia/Tokyo") -> Ticket:
    """Create the ticket, its description and attachments in one transaction.

    Sending the same form twice (its ``submission`` token) returns the first ticket.
    """
    if not policy.can_file(user):
        raise ServiceError(N_("You cannot open tickets. Please ask your organization's "
                              "administrator for the technical contact right."))
    earlier = _already_filed(user, data.submission)
    if earlier:
        return earlier
    checked, errors, params = _check(user, data, tz)
    refused = uploads.check_names(data.files)
    if refused:
        errors["attachments"] = refused.message
        params["attachments"] = refused.params
    if errors:
        raise Invalid(errors, params)
    try:
        stored = uploads.store(data.files)
    except ServiceError as err:
        raise Invalid({"attachments": err.message}, {"attachments": err.params}) from err
    try:
        return _create(user, data, checked, stored)
    except IntegrityError:
        uploads.discard(stored)
        earlier = _already_filed(user, data.submission)
        if earlier:  # the other click won the race
            return earlier
        raise
    except BaseException:
        uploads.discard(stored)
        raise


def _already_filed(user: User, submission: str) -> Ticket | None:
    if not submission:
        return None
    return Ticket.get_or_none((Ticket.submission == submission[:64])
                              & (Ticket.created_by == user.id))


def _create(user: User, data: TicketInput, c: _Checked, stored) -> Ticket:
    now = clock.now()
    with transaction():
        ticket = Ticket.create(
            number=next_number(), organization=c.org, requester=c.requester,
            created_by=user, type=c.type, product=c.product, environment=c.environment,
            severity=c.severity, priority=c.severity, status="new", subject=data.subject,
            follow_up_of=c.follow_up, occurred_at=c.occurred_at,
            incident_state=data.incident_state if c.type.asks_for("occurred_at") else "",
            phone=data.phone.strip() if c.type.asks_for("phone") else "",
            submission=data.submission[:64] or None, created_at=now, updated_at=now,
            last_activity_at=now, status_changed_at=now)
        message = Message.create(ticket=ticket, author=user, kind="reply",
                                 body=data.description, created_at=now,
                                 body_html=render_markdown(data.description))
        for person in c.participants:
            Participant.create(ticket=ticket, user=person)
        for item in stored:
            Attachment.create(message=message, ticket=ticket, filename=item.filename,
                              stored_name=item.stored_name, content_type=item.content_type,
                              size=item.size, sha256=item.sha256, created_at=now)
        sla_clock.filed(ticket)
        events.ticket_filed.send(ticket, message=message)
    return ticket
