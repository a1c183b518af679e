"""What an agent needs to know about the customer beside a ticket. No Flask here."""

from __future__ import annotations

from dataclasses import dataclass

from portal import settings
from portal.accounts.models import Environment, Organization, User
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


def _tickets(condition, limit: int = SHOWN) -> list[Ticket]:
    # The ticket_requester / ticket_org_activity indexes give these in order, no sort.
    return list(Ticket.select(Ticket.id, Ticket.number, Ticket.subject, Ticket.status,
                              Ticket.last_activity_at)
                .where(condition).order_by(Ticket.last_activity_at.desc()).limit(limit))


def panel(ticket: Ticket) -> Panel:
    """The requester, their organization, and their other tickets (a few each)."""
    requester, org = ticket.requester, ticket.organization
    others = Ticket.id != ticket.id
    return Panel(
        requester=requester, language=reply_language(requester), organization=org,
        environments=[e.name for e in Environment.select(Environment.name)
                      .where(Environment.organization == org.id).order_by(Environment.name)],
        open_tickets=_tickets((Ticket.requester == requester.id) & others & OPEN),
        recent_tickets=_tickets((Ticket.requester == requester.id) & others
                                & Ticket.status.in_(("resolved", "closed"))),
        org_open_tickets=_tickets((Ticket.organization == org.id) & others & OPEN
                                  & (Ticket.requester != requester.id)),
    )
