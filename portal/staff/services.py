"""The staff queue: which tickets, in what order. No Flask here."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import JOIN, SQL, fn

from portal import clock
from portal.accounts.models import Organization, User
from portal.accounts.services import active_staff, normalize_email
from portal.tickets.models import OPEN_STATUSES, STATUSES, Ticket, TicketType
from portal.tickets.services import parse_number

# Literal, not bound: SQLite then uses the partial index of open tickets (see m0003).
OPEN = Ticket.status.in_(SQL("('new', 'investigating', 'waiting_on_customer')"))
assert set(OPEN_STATUSES) == {"new", "investigating", "waiting_on_customer"}
QUEUE_COUNT_CAP = 2_000  # beyond it the queue says "more than 2,000": filter instead

# Written as in the index ticket_open_due (see m0006): nothing due sorts last.
DUE_ORDER = fn.COALESCE(Ticket.sla_due, SQL("'9999-12-31 00:00:00'"))
SLA_FILTERS = ("at_risk", "breached")

SORTS = {
    "activity": (Ticket.last_activity_at.desc(), Ticket.id.desc()),
    "oldest": (Ticket.last_activity_at.asc(), Ticket.id.asc()),
    "created": (Ticket.created_at.desc(), Ticket.id.desc()),
    "severity": (Ticket.severity.asc(), Ticket.last_activity_at.desc()),
    "priority": (Ticket.priority.asc(), Ticket.last_activity_at.desc()),
    "due": (DUE_ORDER.asc(), Ticket.id.asc()),
}


@dataclass
class QueueFilters:
    """The queue's filters as given in the URL (empty means "any")."""

    status: str = ""  # "" = not resolved or closed, "all", or one status
    severity: str = ""
    assignee: str = ""  # "", "unassigned", "mine" or an agent's e-mail
    org: str = ""
    type: str = ""
    q: str = ""
    sort: str = ""  # "" = newest activity first; the SLA views: the next due first
    sla: str = ""  # "", "at_risk" (most of a target's time used) or "breached"
    view: str = ""  # a named view: "at_risk" or "breached" (the same as sla=)


def queue(viewer: User, f: QueueFilters):
    """Tickets matching the filters, as a query for paginate (one query, no N+1)."""
    Assignee = User.alias()
    query = (Ticket.select(Ticket, Organization, TicketType, Assignee)
             .join(Organization).switch(Ticket).join(TicketType).switch(Ticket)
             .join(Assignee, JOIN.LEFT_OUTER, on=(Ticket.assignee == Assignee.id)))
    if f.status in STATUSES:
        query = query.where(Ticket.status == f.status)
    elif f.status != "all":
        query = query.where(OPEN)
    if f.severity in ("1", "2", "3", "4"):
        query = query.where(Ticket.severity == int(f.severity))
    # Names in the URL become ids first, so the filter runs on the ticket's own indexes.
    if f.assignee == "unassigned":
        query = query.where(Ticket.assignee.is_null())
    elif f.assignee == "mine":
        query = query.where(Ticket.assignee == viewer.id)
    elif f.assignee:
        agent = User.get_or_none(User.email == normalize_email(f.assignee))
        query = query.where(Ticket.assignee == (agent.id if agent else -1))
    if f.org:
        org = Organization.get_or_none(Organization.slug == f.org)
        query = query.where(Ticket.organization == (org.id if org else -1))
    if f.type:
        ticket_type = TicketType.get_or_none(TicketType.code == f.type)
        query = query.where(Ticket.type == (ticket_type.id if ticket_type else -1))
    text = f.q.strip()
    if text:
        number = parse_number(text)
        query = query.where((Ticket.number == number) if number is not None
                            else Ticket.subject.contains(text))
    sla = f.sla if f.sla in SLA_FILTERS else f.view if f.view in SLA_FILTERS else ""
    if sla:
        # Worked out from the due times now, not from the tick's flags: never late news.
        now = clock.now()
        query = query.where((DUE_ORDER <= now) if sla == "breached" else
                            (DUE_ORDER > now) & (Ticket.sla_risk_at <= now))
    f.sort = f.sort if f.sort in SORTS else "due" if sla else "activity"
    return query.order_by(*SORTS[f.sort])


def choices() -> dict:
    """Options for the filter selects."""
    return {
        "agents": active_staff(),
        "orgs": list(Organization.select().order_by(Organization.name)),
        "types": list(TicketType.select().order_by(TicketType.position)),
    }
