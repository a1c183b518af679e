"""A ticket's SLA clocks: due times from the facts, pauses, breaches and warnings.

The facts are the ticket's start, priority and plan, its first public staff reply, the
customer reply that started the current next-response round, its resolution, and the
times it stood paused (waiting on the customer, or resolved). :func:`refresh` derives
every due time and the queue's summary columns from them; each life-cycle action calls
it inside its own transaction. The tick warns once per ticket, target, kind and round.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from portal import clock
from portal.accounts.models import Organization
from portal.db import Prepared, db, transaction
from portal.sla import events as sla_events
from portal.sla import services as sla
from portal.sla.models import TARGETS
from portal.tickets import events
from portal.tickets.models import OPEN_STATUSES, Counter, SlaNotice, SlaPause, Ticket

RUNNING_STATUSES = ("new", "investigating")  # the resolution clock runs only in these
SLA_FIELDS = [Ticket.first_response_due, Ticket.next_response_due, Ticket.resolution_due,
              Ticket.response_breached, Ticket.next_response_breached,
              Ticket.resolution_breached, Ticket.sla_due, Ticket.sla_risk_at,
              Ticket.sla_alert_at]
BATCH = 500  # tickets in the first batch of a recomputation; later ones adapt
LOCK_TARGET = 0.015  # seconds a recomputation batch aims to hold the write lock


# Read for every ticket shown: composed once (see ``portal.db.Prepared``).
_PAUSES = Prepared(lambda ticket_id: SlaPause.select().where(SlaPause.ticket == ticket_id)
                   .order_by(SlaPause.started_at), -1)
_PLAN_OF = Prepared(lambda org_id: Organization.select(Organization.plan)
                    .where(Organization.id == org_id), -1)


def _pauses(ticket: Ticket) -> list[tuple[datetime, datetime | None]]:
    return [(p.started_at, p.ended_at) for p in _PAUSES.rows(ticket.id)]


def _targets(ticket: Ticket) -> dict[str, sla.Target]:
    # A ticket read for its page came with its organization (``listing.get_ticket``).
    org = ticket.__rel__.get("organization")
    if org is not None and org.id == ticket.organization_id:
        return sla.targets_for(org.plan_id, ticket.priority)
    found = _PLAN_OF.rows(ticket.organization_id)
    return sla.targets_for(found[0].plan_id if found else None, ticket.priority)


@dataclass
class Clock:
    """One target of one ticket as it stands: when it is due, whether it still runs."""

    name: str
    start: datetime
    due: datetime | None
    met_at: datetime | None
    running: bool
    paused: bool
    risk_at: datetime | None


def clocks(ticket: Ticket, targets: dict | None = None, pauses: list | None = None,
           with_risk: bool = True) -> list[Clock]:
    """The ticket's targets in order (only those its policy has and that have started)."""
    targets = _targets(ticket) if targets is None else targets
    pauses = _pauses(ticket) if pauses is None else pauses
    closed = [p for p in pauses if p[1] is not None]
    paused = any(p[1] is None for p in pauses)
    is_open = ticket.status in OPEN_STATUSES
    out = []
    for name in TARGETS:
        target = targets.get(name)
        if target is None:
            continue
        counted: list = []
        if name == "first_response":
            start, met, running = ticket.created_at, ticket.first_response_at, True
        elif name == "next_response":
            if ticket.next_response_since is None:
                continue
            start, met, running = ticket.next_response_since, ticket.next_responded_at, True
        else:
            start, met, counted = ticket.created_at, ticket.resolved_at, closed
            running = ticket.status in RUNNING_STATUSES
        running = running and is_open and met is None
        out.append(Clock(name, start, target.due(start, counted), met, running,
                         name == "resolution" and paused and is_open,
                         target.risk_at(start, counted) if with_risk and running else None))
    return out


def refresh(ticket: Ticket, targets: dict | None = None, pauses: list | None = None,
            now: datetime | None = None) -> None:
    """Derive due times, breach flags and the summary columns (the caller saves)."""
    now = now or clock.now()
    found = {c.name: c for c in clocks(ticket, targets, pauses)}
    due = {name: c.due for name, c in found.items()}
    ticket.first_response_due = due.get("first_response")
    ticket.next_response_due = due.get("next_response")
    ticket.resolution_due = due.get("resolution")
    late = {name: _late(c, now) for name, c in found.items()}
    ticket.response_breached = late.get("first_response", False)
    ticket.resolution_breached = late.get("resolution", False)
    ticket.next_response_breached = ticket.next_response_breached or late.get(
        "next_response", False)
    running = [c for c in found.values() if c.running and c.due is not None]
    ticket.sla_due = min((c.due for c in running), default=None)
    ticket.sla_risk_at = min((c.risk_at for c in running if c.risk_at), default=None)
    ticket.sla_alert_at = min([c.due for c in running]
                              + [c.risk_at for c in running if c.risk_at], default=None)


def _late(c: Clock, now: datetime) -> bool:
    if c.due is None:
        return False
    if c.met_at is not None:
        return c.met_at > c.due
    return c.running and c.due <= now


def save(ticket: Ticket) -> None:
    ticket.save(only=SLA_FIELDS)


def _save_unchanged(tickets: list[Ticket]) -> list[Ticket]:
    """Write the derived columns of tickets that no action touched since they were read
    (their ``updated_at`` is the same), with one prepared statement; return the others.

    Composing a Peewee update per ticket cost more than computing its due times.
    """
    sql, _ = (Ticket.update({f: None for f in SLA_FIELDS})
              .where((Ticket.id == -1) & (Ticket.updated_at == "")).sql())
    # Peewee writes the columns in its own order: read it off the statement.
    order = sorted(SLA_FIELDS, key=lambda f: sql.index(f'"{f.column_name}" ='))
    cursor, moved = db.cursor(), []
    for ticket in tickets:
        row = [f.db_value(getattr(ticket, f.name)) for f in order]
        row += [ticket.id, ticket.updated_at]
        row = [str(v) if isinstance(v, datetime) else v for v in row]  # the stored text
        cursor.execute(sql, row)
        if cursor.rowcount != 1:
            moved.append(ticket)
    return moved


# --- what the life cycle tells the clocks ------------------------------------------------

def filed(ticket: Ticket) -> None:
    """A new ticket: its clocks start at its creation."""
    refresh(ticket)
    save(ticket)


def replied(ticket: Ticket, staff: bool, now: datetime) -> None:
    """A public reply: staff's meets the first or next response; a customer's on a ticket
    already answered once starts a next-response round (unless one is running)."""
    if staff:
        if ticket.next_response_since and ticket.next_responded_at is None:
            ticket.next_responded_at = now
            ticket.save(only=[Ticket.next_responded_at])
    elif (ticket.first_response_at is not None and ticket.status in RUNNING_STATUSES
          and (ticket.next_response_since is None or ticket.next_responded_at is not None)):
        ticket.next_response_since, ticket.next_responded_at = now, None
        ticket.save(only=[Ticket.next_response_since, Ticket.next_responded_at])
    refresh(ticket, now=now)
    save(ticket)


def status_changed(ticket: Ticket, old: str, new: str, now: datetime) -> None:
    """Leaving support's hands pauses the resolution clock; coming back resumes it."""
    if old in RUNNING_STATUSES and new not in RUNNING_STATUSES:
        SlaPause.create(ticket=ticket, started_at=now)
    elif old not in RUNNING_STATUSES and new in RUNNING_STATUSES:
        SlaPause.update(ended_at=now).where((SlaPause.ticket == ticket.id)
                                            & SlaPause.ended_at.is_null()).execute()
    refresh(ticket, now=now)
    save(ticket)


def priority_changed(ticket: Ticket) -> dict[str, datetime] | None:
    """Due times recomputed from the ticket's start for its new priority; the new due
    times (None when the policy promises nothing at that priority)."""
    refresh(ticket)
    save(ticket)
    due = {c.name: c.due for c in clocks(ticket, with_risk=False) if c.due}
    return due or None


# --- the tick: at risk, breached -----------------------------------------------------------

def tick(now: datetime | None = None) -> tuple[int, int]:
    """Warn about targets now at risk or breached; return how many of each.

    Each ticket is looked at in its own transaction, and each warning is claimed by a
    unique row first, so runners that overlap send every warning once.
    """
    now = now or clock.now()
    due = [t.id for t in Ticket.select(Ticket.id).where(Ticket.sla_alert_at <= now)]
    at_risk = breached = 0
    for ticket_id in due:
        with transaction():
            ticket = Ticket.get_or_none(Ticket.id == ticket_id)
            if ticket is None or ticket.sla_alert_at is None or ticket.sla_alert_at > now:
                continue  # another runner, or an action, dealt with it meanwhile
            upcoming = []
            for c in clocks(ticket):
                if not c.running or c.due is None:
                    continue
                if c.due <= now:
                    if _claim(ticket, c, "breached", now):
                        setattr(ticket, _FLAGS[c.name], True)
                        breached += 1
                elif c.risk_at is not None and c.risk_at <= now:
                    at_risk += _claim(ticket, c, "at_risk", now)
                    upcoming.append(c.due)
                else:
                    upcoming += [m for m in (c.risk_at, c.due) if m is not None]
            ticket.sla_alert_at = min(upcoming, default=None)
            save(ticket)
    return at_risk, breached


_FLAGS = {"first_response": "response_breached", "next_response": "next_response_breached",
          "resolution": "resolution_breached"}


def _claim(ticket: Ticket, c: Clock, kind: str, now: datetime) -> bool:
    """Record the warning unless someone already did; when it is ours, send it."""
    query = SlaNotice.insert(ticket=ticket.id, target=c.name, kind=kind, started_at=c.start,
                             created_at=now).on_conflict(
        conflict_target=[SlaNotice.ticket, SlaNotice.target, SlaNotice.kind,
                         SlaNotice.started_at], action="NOTHING")
    if db.execute(query).rowcount != 1:
        return False
    events.sla_warning.send(ticket, target=c.name, kind=kind, due=c.due)
    return True


# --- when the rules change -------------------------------------------------------------

def recompute_open(batch: int = BATCH, on_batch=None) -> int:
    """Recompute every open ticket in batches; return how many.

    A batch is read and worked out without holding the write lock; a short write
    transaction then stores the tickets nobody touched meanwhile and recomputes the
    few that changed from their fresh facts, so a reply that lands in between is never
    overwritten with older ones. Batches are sized to hold the lock about 15 ms (the
    budget is 50); ``on_batch(seconds)`` hears how long each held it.
    """
    done, last = 0, 0
    cache: dict[tuple[int, int], dict] = {}
    now = clock.now()
    while True:
        rows = list(Ticket.select(Ticket, Organization.plan)
                    .join(Organization)
                    .where(Ticket.status.in_(OPEN_STATUSES) & (Ticket.id > last))
                    .order_by(Ticket.id).limit(batch))
        if not rows:
            return done
        pauses: dict[int, list] = {}
        for p in (SlaPause.select().where(SlaPause.ticket.in_([t.id for t in rows]))
                  .order_by(SlaPause.started_at)):
            pauses.setdefault(p.ticket_id, []).append((p.started_at, p.ended_at))
        for ticket in rows:
            key = (ticket.organization.plan_id, ticket.priority)
            if key not in cache:
                cache[key] = sla.targets_for(*key)
            refresh(ticket, cache[key], pauses.get(ticket.id, []), now)
        started = time.perf_counter()
        with transaction():
            for moved in _save_unchanged(rows):
                fresh = Ticket.get_by_id(moved.id)
                refresh(fresh, now=now)
                save(fresh)
        held = time.perf_counter() - started
        last, done = rows[-1].id, done + len(rows)
        if on_batch is not None:
            on_batch(held)
        # Size the next batch to the lock time aimed at: a busy machine gets smaller ones.
        batch = max(50, min(2000, int(batch * LOCK_TARGET / max(held, 1e-4))))


def follow_risk_percent() -> int:
    """Recompute open tickets when PORTAL_SLA_AT_RISK_PERCENT differs from the value
    their at-risk moments were worked out with (at start); return how many."""
    wanted = sla.risk_percent()
    with transaction():
        row = Counter.get_or_none(Counter.name == "sla_at_risk_percent")
        if row is not None and row.value == wanted:
            return 0
        if row is None:
            Counter.create(name="sla_at_risk_percent", value=wanted)
        else:
            Counter.update(value=wanted).where(Counter.name == row.name).execute()
    return recompute_open() if row is not None else 0


def on_rules_changed(_sender: str) -> int:
    return recompute_open()


def init_app(app) -> None:
    """Recompute open tickets whenever calendars or policies change (once per process)."""
    sla_events.rules_changed.connect(on_rules_changed, weak=False)



# --- what people see ------------------------------------------------------------------------

CUSTOMER_TARGETS = ("first_response", "resolution")


@dataclass
class Shown:
    """A target as a page shows it, worked out when the page is read."""

    name: str
    state: str  # pending | met | breached | paused
    due: datetime  # for a paused clock: when it would fall due if it resumed now
    met_at: datetime | None
    at_risk: bool
    seconds: int  # until due (negative: how late)
    cover: str  # the calendar's name, or "24x7"


def facts(ticket: Ticket) -> tuple[dict, list]:
    """What :func:`shown` reads of the database: the ticket's targets and its pauses."""
    return _targets(ticket), _pauses(ticket)


def shown(ticket: Ticket, staff: bool, now: datetime | None = None,
          known: tuple[dict, list] | None = None) -> list[Shown]:
    """Each target of the ticket with its state now (customers: first response and
    resolution only); ``known``: the ticket's :func:`facts`, when read already."""
    now = now or clock.now()
    targets, pauses = facts(ticket) if known is None else known
    out = []
    for c in clocks(ticket, targets, pauses):
        if c.due is None or (not staff and c.name not in CUSTOMER_TARGETS):
            continue
        due = c.due
        if c.paused and c.met_at is None:
            state = "paused"
            resumed = [(a, b or now) for a, b in pauses]
            due = targets[c.name].due(c.start, resumed) or due
        elif c.met_at is not None:
            state = "met" if c.met_at <= c.due else "breached"
        elif c.running:
            state = "breached" if c.due <= now else "pending"
        else:  # resolved or closed before it was met: nothing is owed any more
            stopped = ticket.resolved_at or ticket.closed_at or now
            state = "breached" if c.due <= stopped else "met"
        out.append(Shown(c.name, state, due, c.met_at,
                         state == "pending" and c.risk_at is not None and c.risk_at <= now,
                         int((due - now).total_seconds()), targets[c.name].calendar))
    return out


def next_due(ticket: Ticket, now: datetime | None = None) -> Shown | None:
    """The earliest running target, from the queue's summary columns (no query)."""
    if ticket.sla_due is None:
        return None
    now = now or clock.now()
    name = next((n for n, due in (("first_response", ticket.first_response_due),
                                  ("next_response", ticket.next_response_due),
                                  ("resolution", ticket.resolution_due))
                 if due == ticket.sla_due), "resolution")
    late = ticket.sla_due <= now
    risk = not late and ticket.sla_risk_at is not None and ticket.sla_risk_at <= now
    return Shown(name, "breached" if late else "pending", ticket.sla_due, None, risk,
                 int((ticket.sla_due - now).total_seconds()), "")
