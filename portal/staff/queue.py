"""The queue's named views and their counts. No Flask here.

A view is a condition on tickets. Every view is counted on each queue page (and each
refresh), so each condition must be answerable from one small index: the open-ticket
partial indexes of m0003 and m0009. Counting stops at ``COUNT_CAP``, so a view of
100,000 tickets costs no more than one of 1,000.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from peewee import SQL, Expression, Select, fn

from portal import clock
from portal.accounts.models import User
from portal.db import Statement, db, is_postgres
from portal.errors import N_
from portal.tickets.models import OPEN_STATUSES, Ticket

# Literal, not bound: SQLite then uses the partial indexes of open tickets (see m0003),
# whose WHERE text this must match: ('new', 'investigating', 'waiting_on_customer').
_OPEN_SQL = "(" + ", ".join(f"'{s}'" for s in OPEN_STATUSES) + ")"
OPEN = Ticket.status.in_(SQL(_OPEN_SQL))
COUNT_CAP = 1_000  # a view holding more shows "999+"
# Written as in the index ticket_open_due (see m0006): nothing due sorts last.
DUE_ORDER = fn.COALESCE(Ticket.sla_due, SQL("'9999-12-31 00:00:00'"))
SLA_STATES = frozenset(("at_risk", "breached"))


def _flag_set(field) -> Expression:
    """``field`` is true, written as a literal. With a bound parameter SQLite's planner
    judged m0009's flag index by its statistics (one value in nearly every row) and
    scanned the whole table when no ticket was escalated: 50 ms at 200,000 tickets.
    With the literal it walks the index: 0.1 ms."""
    return field == SQL("TRUE" if is_postgres() else "1")


def _at_risk(me: User, now: datetime | None = None) -> Expression:
    # Worked out from the due times now, not from the tick's flags: never late news.
    now = now or clock.now()
    return OPEN & (DUE_ORDER > now) & (Ticket.sla_risk_at <= now)


def _breached(me: User, now: datetime | None = None) -> Expression:
    return OPEN & (DUE_ORDER <= (now or clock.now()))


@dataclass(frozen=True)
class View:
    """A named queue view: its label (a msgid) and its condition for one agent (and a
    moment, for the views that depend on the time; by default now)."""

    label: str
    condition: Callable[..., Expression]


VIEWS: dict[str, View] = {
    "mine": View(N_("Mine"), lambda me, now=None: OPEN & (Ticket.assignee == me.id)),
    "unassigned": View(N_("Unassigned"), lambda me, now=None: OPEN & Ticket.assignee.is_null()),
    "waiting": View(N_("Waiting on us"),
                    lambda me, now=None: OPEN & _flag_set(Ticket.customer_spoke_last)),
    "escalated": View(N_("Escalated"), lambda me, now=None: OPEN & _flag_set(Ticket.escalated)),
    "at_risk": View(N_("At risk"), _at_risk),
    "breached": View(N_("Breached"), _breached),
    "open": View(N_("All open"), lambda me, now=None: OPEN),
    "solved": View(N_("Recently solved"), lambda me, now=None: Ticket.status == "resolved"),
}


def _capped(condition: Expression, cap: int):
    return Ticket.select(SQL("1")).where(condition).limit(cap)


def count(condition: Expression, cap: int = COUNT_CAP) -> int:
    """How many tickets meet ``condition``, counting no further than ``cap``."""
    return _capped(condition, cap).count()


@dataclass(frozen=True)
class Someone:
    """A viewer known by id only: what the views' conditions read of one."""

    id: int


def _all_counts(viewer_id: int, now: datetime) -> Select:
    """One statement counting every view: each view's capped count as a subquery."""
    me = Someone(viewer_id)
    return Select(columns=[
        Select([_capped(view.condition(me, now), COUNT_CAP).alias(f"c{i}")],
               [fn.COUNT(SQL("*"))])
        for i, view in enumerate(VIEWS.values())]).bind(db.obj)


# Composing eight queries cost Peewee more than running them (1.5 ms a queue page); the
# statement is composed once and run with this viewer and this moment.
_COUNTS = Statement(_all_counts, -7_405_001, datetime(1901, 2, 3, 4, 5, 6, 789))


def counts(viewer: User) -> dict[str, int]:
    """Each view's ticket count for ``viewer`` (capped at COUNT_CAP)."""
    row = _COUNTS.execute(viewer.id, clock.now()).fetchone()
    return dict(zip(VIEWS, row, strict=True))
