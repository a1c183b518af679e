"""Ticket numbers: how people quote them, how they are read back, how the next is drawn."""

from __future__ import annotations

from portal import settings
from portal.numbers import parse_id
from portal.tickets.models import Counter, Ticket


def format_number(number: int) -> str:
    return f"{settings.get('TICKET_PREFIX', 'MDG')}-{number}"


def parse_number(text: str) -> int | None:
    """``123`` or ``PREFIX-123`` as 123; anything else None."""
    text = (text or "").strip()
    prefix = settings.get("TICKET_PREFIX", "MDG")
    if text.upper().startswith(prefix.upper() + "-"):
        text = text[len(prefix) + 1:]
    return parse_id(text)


def next_number() -> int:
    """The next ticket number; numbers are never reused (call inside a transaction)."""
    updated = Counter.update(value=Counter.value + 1).where(Counter.name == "ticket").execute()
    if not updated:
        highest = Ticket.select(Ticket.number).order_by(Ticket.number.desc()).first()
        Counter.create(name="ticket", value=(highest.number if highest else 0) + 1)
    return Counter.get(Counter.name == "ticket").value
