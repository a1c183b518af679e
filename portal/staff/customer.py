"""What an agent needs to know about the customer beside a ticket. No Flask here."""

from __future__ import annotations

from dataclasses import dataclass

from portal import settings
from portal.accounts.models import Environment, Organization, User
from portal.db import Prepared
from portal.staff.queue import OPEN
from portal.tickets.models import Ticket

SHOWN = 5


@dataclass
class Panel:
    requester: User
    language: str  # "ja" or "en": the language to answer in
    organization: Organization
    environments: list[str]
    open_tickets: list[Ticket]  # the requester's other open tickets
    recent_tickets: list[Ticket]  # the requester's recently resolved or closed ones
    org_open_tickets: list[Ticket]  # other people's open tickets of the organization


def reply_language(user: User) -> str:
    """The language a customer reads: their setting, else the portal's default."""
    return user.locale or settings.get("DEFAULT_LOCALE", "ja")


def _tickets(condition, limit: int):
    # The ticket_requester / ticket_org_activity indexes give these in order, no sort.
    return (Ticket.select(Ticket.id, Ticket.number, Ticket.subject, Ticket.status,
                          Ticket.last_activity_at)
            .where(condition).order_by(Ticket.last_activity_at.desc()).limit(limit))


# Shown beside every staff ticket page: each query composed once (``portal.db.Prepared``).
_ENVIRONMENTS = Prepared(lambda org_id: Environment.select(Environment.name)
                         .where(Environment.organization == org_id)
                         .order_by(Environment.name), -1)
_OPEN = Prepared(lambda requester, ticket, limit: _tickets(
    (Ticket.requester == requester) & (Ticket.id != ticket) & OPEN, limit), -1, -2, SHOWN)
_RECENT = Prepared(lambda requester, ticket, done, closed, limit: _tickets(
    (Ticket.requester == requester) & (Ticket.id != ticket)
    & Ticket.status.in_((done, closed)), limit), -1, -2, "resolved", "closed", SHOWN)
_ORG_OPEN = Prepared(lambda org_id, ticket, requester, limit: _tickets(
    (Ticket.organization == org_id) & (Ticket.id != ticket) & OPEN
    & (Ticket.requester != requester), limit), -1, -2, -3, SHOWN)


def panel(ticket: Ticket) -> Panel:
    """The requester, their organization, and their other tickets (a few each)."""
    requester, org = ticket.requester, ticket.organization
    return Panel(
        requester=requester, language=reply_language(requester), organization=org,
        environments=[e.name for e in _ENVIRONMENTS.rows(org.id)],
        open_tickets=_OPEN.rows(requester.id, ticket.id, SHOWN),
        recent_tickets=_RECENT.rows(requester.id, ticket.id, "resolved", "closed", SHOWN),
        org_open_tickets=_ORG_OPEN.rows(org.id, ticket.id, requester.id, SHOWN),
    )
