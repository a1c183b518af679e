"""The staff queue: which tickets, in what order. No Flask here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peewee import JOIN

from portal.accounts.models import Organization, Plan, User
from portal.accounts.services import active_staff, normalize_email
from portal.db import Prepared
from portal.staff.queue import DUE_ORDER, OPEN, SLA_STATES, VIEWS
from portal.tickets.models import SEVERITIES, STATUSES, Ticket, TicketType
from portal.tickets.numbering import parse_number

QUEUE_COUNT_CAP = 2_000  # beyond it the queue says "more than 2,000": filter instead

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
    view: str = ""  # one of portal.staff.queue.VIEWS, or "" for the filters alone

    def order(self) -> str:
        """The sort asked for, else the next due first in SLA views, else newest activity."""
        if self.sort in SORTS:
            return self.sort
        return "due" if SLA_STATES.intersection((self.sla, self.view)) else "activity"


# What a queue row shows of the ticket itself (portal/staff/_rows.html, next_due).
ROW_FIELDS = (Ticket.id, Ticket.number, Ticket.subject, Ticket.status, Ticket.severity,
              Ticket.priority, Ticket.escalated, Ticket.customer_spoke_last,
              Ticket.created_at, Ticket.last_activity_at, Ticket.sla_due, Ticket.sla_risk_at,
              Ticket.first_response_due, Ticket.next_response_due, Ticket.resolution_due)


def queue(viewer: User, f: QueueFilters, fields=None, now: datetime | None = None):
    """Tickets matching the filters, as a query for paginate (one query, no N+1).

    Rows are flat tickets carrying the joined names as attributes (``org_name``,
    ``plan_ja``, ``requester_name``…): building a graph of six models per row cost more
    than the query itself. ``fields`` limits the ticket's own columns (all by default);
    ``now`` is the moment the SLA views are worked out for (by default now).
    """
    Assignee, Requester, Speaker = User.alias(), User.alias(), User.alias()
    query = (Ticket.select(*(fields or (Ticket,)), Organization.name.alias("org_name"),
                           Organization.trial.alias("org_trial"), Plan.name_en.alias("plan_en"),
                           Plan.name_ja.alias("plan_ja"), TicketType.name_en.alias("type_en"),
                           TicketType.name_ja.alias("type_ja"),
                           Assignee.name.alias("assignee_name"),
                           Requester.name.alias("requester_name"),
                           Requester.email.alias("requester_email"),
                           Speaker.name.alias("speaker_name"))
             .join(Organization).join(Plan).switch(Ticket).join(TicketType).switch(Ticket)
             .join(Assignee, JOIN.LEFT_OUTER, on=(Ticket.assignee == Assignee.id))
             .switch(Ticket).join(Requester, on=(Ticket.requester == Requester.id))
             .switch(Ticket)
             .join(Speaker, JOIN.LEFT_OUTER, on=(Ticket.last_public_author == Speaker.id)))
    return matching(viewer, f, query, now).order_by(*SORTS[f.order()]).objects()


def matching(viewer: User, f: QueueFilters, query=None, now: datetime | None = None):
    """The filters' conditions on ``query`` (by default bare ticket ids: cheap to count),
    the SLA views' for the moment ``now`` (by default now)."""
    query = Ticket.select(Ticket.id) if query is None else query
    view = VIEWS.get(f.view)
    if f.status in STATUSES:
        query = query.where(Ticket.status == f.status)
    elif f.status != "all" and view is None:
        query = query.where(OPEN)
    if view is not None:
        query = query.where(view.condition(viewer, now))
    if f.sla in SLA_STATES:
        query = query.where(VIEWS[f.sla].condition(viewer, now))
    if f.severity in {str(s) for s in SEVERITIES}:
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
    return query


# The filter selects' options, on every full queue page: composed once.
_ORGS = Prepared(lambda: Organization.select().order_by(Organization.name))
_TYPES = Prepared(lambda: TicketType.select().order_by(TicketType.position))


def choices() -> dict:
    """Options for the filter selects."""
    return {"agents": active_staff(), "orgs": _ORGS.rows(), "types": _TYPES.rows()}
