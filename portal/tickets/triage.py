"""Staff triage of a ticket: its type, severity, who is copied, acknowledging an escalation.

The same rules as :mod:`portal.tickets.lifecycle`: each action is one transaction holding
the change, its event line and its audit row.
"""

from __future__ import annotations

from portal import clock
from portal.accounts.models import User
from portal.accounts.services import normalize_email, record
from portal.db import transaction
from portal.errors import N_, ServiceError
from portal.tickets.lifecycle import MAX_REASON, Refused, _event, _reload, _require_staff
from portal.tickets.models import SEVERITIES, Participant, Ticket, TicketType

MAX_PARTICIPANTS = 20


def _open_for_change(ticket: Ticket) -> None:
    if ticket.status == "closed":
        raise Refused(N_("This ticket is closed. Please open a follow-up ticket instead."))


def change_type(user: User, ticket: Ticket, code: str) -> Ticket:
    """Put the ticket under another (active) type."""
    _require_staff(user)
    chosen = TicketType.get_or_none((TicketType.code == (code or "").strip())
                                    & TicketType.active)
    if chosen is None:
        raise ServiceError(N_("Choose one of the ticket types."), "type")
    with transaction():
        ticket = _reload(ticket)
        _open_for_change(ticket)
        if ticket.type_id == chosen.id:
            return ticket
        old = ticket.type
        ticket.type, ticket.updated_at = chosen, clock.now()
        ticket.save(only=[Ticket.type, Ticket.updated_at])
        _event(ticket, user, "type", old=old.code, new=chosen.code)
        record(user, "type", "ticket", ticket.id, old=old.code, new=chosen.code)
    return ticket


def change_severity(user: User, ticket: Ticket, severity: str, reason: str) -> Ticket:
    """Correct the customer's severity, with a reason the customer sees."""
    _require_staff(user)
    if severity not in tuple(str(s) for s in SEVERITIES):
        raise ServiceError(N_("The severity must be 1, 2, 3 or 4."), "severity")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(N_("Please give a reason for the new severity."), "reason")
    with transaction():
        ticket = _reload(ticket)
        _open_for_change(ticket)
        old = ticket.severity
        if old == int(severity):
            return ticket
        ticket.severity, ticket.updated_at = int(severity), clock.now()
        ticket.save(only=[Ticket.severity, Ticket.updated_at])
        _event(ticket, user, "severity", old=old, new=int(severity),
               reason=reason[:MAX_REASON])
        record(user, "severity", "ticket", ticket.id, old=old, new=int(severity),
               reason=reason[:MAX_REASON])
    return ticket


def set_participants(user: User, ticket: Ticket, emails: list[str]) -> Ticket:
    """Replace who is copied: active people of the ticket's organization, by e-mail."""
    _require_staff(user)
    wanted = []
    for raw in emails:
        for part in (raw or "").replace(",", " ").split():
            if normalize_email(part) not in wanted:
                wanted.append(normalize_email(part))
    if len(wanted) > MAX_PARTICIPANTS:
        raise ServiceError(N_("At most 20 people can be in copy."), "participants")
    people = {u.email: u for u in User.select().where(User.email.in_(wanted))} if wanted else {}
    for email in wanted:
        person = people.get(email)
        if (person is None or person.role != "customer" or not person.active
                or person.organization_id != ticket.organization_id):
            raise ServiceError(N_("%(email)s is not an active member of the organization."),
                               "participants", email=email)
    with transaction():
        ticket = _reload(ticket)
        _open_for_change(ticket)
        before = {p.user_id for p in Participant.select().where(Participant.ticket == ticket)}
        after = {people[e].id for e in wanted if people[e].id != ticket.requester_id}
        if before == after:
            return ticket
        Participant.delete().where((Participant.ticket == ticket)
                                   & Participant.user.not_in(list(after) or [0])).execute()
        for person_id in after - before:
            Participant.create(ticket=ticket, user=person_id)
        ticket.updated_at = clock.now()
        ticket.save(only=[Ticket.updated_at])
        names = sorted(p.name for p in people.values() if p.id in after)
        _event(ticket, user, "participants", names=names)
        record(user, "participants", "ticket", ticket.id,
               emails=sorted(people[e].email for e in wanted if people[e].id in after))
    return ticket


def acknowledge(user: User, ticket: Ticket) -> Ticket:
    """Staff have seen the escalation and act on it: the flag is cleared, with a line."""
    _require_staff(user)
    with transaction():
        ticket = _reload(ticket)
        if not ticket.escalated:
            raise Refused(N_("This ticket is not escalated."))
        ticket.escalated, ticket.updated_at = False, clock.now()
        ticket.save(only=[Ticket.escalated, Ticket.updated_at])
        _event(ticket, user, "acknowledged")
        record(user, "acknowledge", "ticket", ticket.id)
    return ticket


def arrived_since(ticket: Ticket, user: User, after: int) -> list:
    """Public replies by someone else newer than message ``after`` (what the page shows)."""
    from portal.tickets.models import Message

    return list(Message.select(Message.id).where(
        (Message.ticket == ticket) & (Message.id > after) & (Message.kind == "reply")
        & ((Message.author != user.id) | Message.author.is_null())).limit(1))
