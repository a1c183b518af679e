"""A ticket filed right after a search: that search ended in a ticket (the dashboard's
deflection figures and the gaps page read it from the search log)."""

from __future__ import annotations

from portal.kb import tracking
from portal.tickets import events


def _filed(ticket, **_) -> None:
    # The one who filed it is the one who was searching (an org admin may file for
    # a colleague).
    tracking.ticket_filed(ticket.created_by_id)


def connect() -> None:
    events.ticket_filed.connect(_filed)
