"""Bulk changes from the queue, through the same rules as a single change. No Flask here.

Each ticket is changed by the life-cycle function an agent would use on its page, in a
savepoint of its own: a refused ticket is left exactly as it was, and the rest go on.
Tickets are committed in batches so the write lock is never held for long.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from portal.accounts.models import STAFF_ROLES, User
from portal.accounts.services import normalize_email
from portal.db import transaction
from portal.errors import N_, ServiceError
from portal.sla.models import PRIORITIES
from portal.tickets import lifecycle
from portal.tickets.models import STATUSES, Ticket
from portal.tickets.numbering import parse_number

ACTIONS = ("assign", "status", "priority")
MAX_TICKETS = 1_000
BATCH = 100


@dataclass
class Refusal:
    number: str
    message: str  # a msgid
    params: dict = field(default_factory=dict)


@dataclass
class Outcome:
    changed: list[int] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def _check(action: str, value: str, reason: str) -> None:
    """Refuse the whole request when the action itself is wrong (not one ticket)."""
    if action not in ACTIONS:
        raise ServiceError(N_("Choose what to change."), "action")
    if action == "status" and value not in STATUSES:
        raise ServiceError(N_("Choose a status."), "value")
    if action == "priority":
        if value not in {str(p) for p in PRIORITIES}:
            raise ServiceError(N_("The priority must be 1, 2, 3 or 4."), "value")
        if not (reason or "").strip():
            raise ServiceError(N_("Please give a reason for the new priority."), "reason")
    if action == "assign" and value.strip():
        agent = User.get_or_none(User.email == normalize_email(value))
        if agent is None or agent.role not in STAFF_ROLES or not agent.active:
            raise ServiceError(N_("%(email)s is not an active support agent."), "value",
                               email=value.strip())


def _apply(user: User, ticket: Ticket, action: str, value: str, reason: str) -> None:
    if ticket.status == "closed":
        raise lifecycle.Refused(N_("The ticket is closed."))
    if action == "assign":
        lifecycle.assign(user, ticket, value)
    elif action == "status":
        lifecycle.change_status(user, ticket, value)
    else:
        lifecycle.change_priority(user, ticket, value, reason)


def bulk_change(user: User, numbers: list[str], action: str, value: str,
                reason: str = "") -> Outcome:
    """Apply one change to each ticket; report the ones refused and why."""
    if not user.is_staff:
        raise lifecycle.Refused(N_("Only support staff can do this."))
    value = (value or "").strip()
    _check(action, value, reason)
    wanted = list(dict.fromkeys(n.strip() for n in numbers if n and n.strip()))
    if not wanted:
        raise ServiceError(N_("Tick at least one ticket."), "tickets")
    if len(wanted) > MAX_TICKETS:
        raise ServiceError(N_("At most 1,000 tickets can be changed at once."), "tickets")
    parsed = {raw: parse_number(raw) for raw in wanted}
    found = {t.number: t for t in Ticket.select().where(
        Ticket.number.in_([n for n in parsed.values() if n is not None]))}
    outcome = Outcome()
    for start in range(0, len(wanted), BATCH):
        with transaction():
            for raw in wanted[start:start + BATCH]:
                ticket = found.get(parsed[raw])
                if ticket is None:
                    outcome.refused.append(Refusal(raw, N_("There is no such ticket.")))
                    continue
                try:
                    with transaction():  # a savepoint: this ticket all or nothing
                        _apply(user, ticket, action, value, reason)
                except ServiceError as err:
                    outcome.refused.append(Refusal(raw, err.message, err.params))
                    continue
                outcome.changed.append(ticket.number)
    return outcome
