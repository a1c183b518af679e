"""Finding one ticket the viewer may see, and listing the viewer's tickets. No Flask here."""

from __future__ import annotations

from peewee import JOIN

from portal.accounts.models import Organization, Plan, User
from portal.db import Prepared
from portal.errors import N_, NotFound
from portal.numbers import parse_id
from portal.tickets import policy
from portal.tickets.models import OPEN_STATUSES, STATUSES, Participant, Ticket, TicketType
from portal.tickets.numbering import parse_number


def _with_people(number: int):
    requester, assignee = User.alias("requester"), User.alias("assignee")
    return (Ticket.select(Ticket, TicketType, Organization, Plan, requester, assignee)
            .join(TicketType, on=(Ticket.type == TicketType.id), attr="type").switch(Ticket)
            .join(Organization, on=(Ticket.organization == Organization.id),
                  attr="organization")
            .join(Plan, on=(Organization.plan == Plan.id), attr="plan").switch(Ticket)
            .join(requester, on=(Ticket.requester == requester.id), attr="requester")
            .switch(Ticket)
            .join(assignee, JOIN.LEFT_OUTER, on=(Ticket.assignee == assignee.id),
                  attr="assignee")
            .where(Ticket.number == number))


# Every ticket page and action starts here: one query, composed once (``Prepared``), that
# also brings what the page shows of it (type, organization and plan, requester, assignee)
# instead of a query for each when first read.
_TICKET = Prepared(_with_people, -1)


def get_ticket(user: User, number: str | int) -> Ticket:
    """The ticket with this number if ``user`` may see it; else NotFound, always."""
    parsed = parse_id(number) if isinstance(number, int) else parse_number(str(number))
    found = _TICKET.rows(parsed) if parsed is not None else []
    ticket = found[0] if found else None
    if ticket is None or not policy.can_view_ticket(user, ticket):
        raise NotFound(N_("There is no such ticket."))
    return ticket


def find_ticket(user: User, number: str | int) -> Ticket | None:
    """Like :func:`get_ticket`, but None instead of NotFound."""
    try:
        return get_ticket(user, number)
    except NotFound:
        return None


def list_tickets(user: User, scope: str = "mine", status: str = "", q: str = ""):
    """The user's requests (or, for an org admin with scope "org", the organization's),
    newest activity first, as a query for paginate."""
    query = (Ticket.select(Ticket, TicketType, User)
             .join(TicketType).switch(Ticket)
             .join(User, JOIN.LEFT_OUTER, on=(Ticket.requester == User.id)))
    if scope == "org" and user.org_role == "org_admin":
        query = query.where(Ticket.organization == user.organization_id)
    else:
        taking_part = Participant.select(Participant.ticket).where(Participant.user == user.id)
        query = query.where((Ticket.requester == user.id) | (Ticket.created_by == user.id)
                            | Ticket.id.in_(taking_part))
        if not user.is_staff:
            query = query.where(Ticket.organization == user.organization_id)
    if status == "open":
        query = query.where(Ticket.status.in_(OPEN_STATUSES))
    elif status in STATUSES:
        query = query.where(Ticket.status == status)
    text = (q or "").strip()
    if text:
        number = parse_number(text)
        match = Ticket.subject.contains(text)
        query = query.where(match | (Ticket.number == number) if number is not None else match)
    return query.order_by(Ticket.last_activity_at.desc(), Ticket.id.desc())
