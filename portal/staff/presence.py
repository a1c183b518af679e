"""Who else has a ticket open, and who is writing a reply. No Flask here.

Kept in the database, not in a worker's memory, so agents served by different workers
(or servers) see each other. Each open ticket page sends a heartbeat every few seconds;
a heartbeat older than ``FRESH`` no longer counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from portal import clock
from portal.accounts.models import User
from portal.db import transaction
from portal.staff.models import Presence
from portal.tickets.models import Ticket

FRESH = timedelta(seconds=10)


@dataclass
class Other:
    name: str
    replying: bool


def heartbeat(user: User, ticket: Ticket, replying: bool) -> list[Other]:
    """Record that ``user`` is on the ticket (writing or not); the others there now."""
    now = clock.now()
    with transaction():
        (Presence.insert(ticket=ticket.id, user=user.id, replying=replying, seen_at=now,
                         typing_since=now if replying else None)
         .on_conflict(conflict_target=[Presence.ticket, Presence.user],
                      update={Presence.replying: replying, Presence.seen_at: now,
                              # keep when the writing started; forget it once the box is empty
                              Presence.typing_since: (Presence.typing_since if replying
                                                      else None)})
         .execute())
        if replying:
            Presence.update(typing_since=now).where(
                (Presence.ticket == ticket.id) & (Presence.user == user.id)
                & Presence.typing_since.is_null()).execute()
    rows = (Presence.select(Presence.replying, User.name).join(User)
            .where((Presence.ticket == ticket.id) & (Presence.user != user.id)
                   & (Presence.seen_at >= now - FRESH)).order_by(User.name))
    return [Other(row.user.name, bool(row.replying)) for row in rows]
