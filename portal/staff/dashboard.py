"""The dashboard's figures, each from stored counters or one indexed query. No Flask here.

Nothing here reads every ticket: per-day volumes come from ``daily_count``; backlogs from
the open-ticket partial indexes; response times and SLA attainment from the tickets
created in the window (an index range on ``created_at``); articles from their counters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from peewee import fn

from portal import clock, counters
from portal.accounts.models import Organization, Plan
from portal.db import db, is_sqlite
from portal.kb import searchlog
from portal.kb.models import Article
from portal.staff.queue import OPEN
from portal.tickets.models import OPEN_STATUSES, SEVERITIES, Ticket

DAYS = 30
TOP = 5


@dataclass
class Percentiles:
    days: int
    count: int
    median: float | None  # minutes
    p90: float | None


def _days(today: date, n: int = DAYS) -> list[date]:
    return [today - timedelta(days=n - 1 - i) for i in range(n)]


def volumes(days: list[date]) -> list[tuple[date, int, int]]:
    """Tickets created and solved on each day."""
    return list(zip(days, counters.series("created", days), counters.series("solved", days),
                    strict=True))


def backlog() -> tuple[dict[str, int], dict[int, int]]:
    """Open tickets by status and by severity (each one pass over a partial index)."""
    by_status = dict.fromkeys(OPEN_STATUSES, 0)
    for status, n in (Ticket.select(Ticket.status, fn.COUNT(Ticket.id)).where(OPEN)
                      .group_by(Ticket.status).tuples()):
        by_status[status] = n
    by_severity = dict.fromkeys(SEVERITIES, 0)
    for severity, n in (Ticket.select(Ticket.severity, fn.COUNT(Ticket.id)).where(OPEN)
                        .group_by(Ticket.severity).tuples()):
        by_severity[severity] = n
    return by_status, by_severity


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _minutes(start, end):
    """Minutes from ``start`` to ``end`` computed by the database (no row parsed here)."""
    if is_sqlite():
        return (fn.julianday(end) - fn.julianday(start)) * 1440
    return fn.date_part("epoch", end.cast("timestamp") - start.cast("timestamp")) / 60


def first_response(now: datetime, windows=(7, 30)) -> list[Percentiles]:
    """Median and 90th percentile of the minutes to the first staff reply, per window."""
    query = (Ticket.select(Ticket.created_at, _minutes(Ticket.created_at,
                                                       Ticket.first_response_at))
             .where((Ticket.created_at >= now - timedelta(days=max(windows)))
                    & Ticket.first_response_at.is_null(False)))
    # One pass over the covering index; raw rows, as the model layer would add 2 µs each.
    rows = db.execute_sql(*query.sql()).fetchall()
    out = []
    for days in windows:
        since = str(now - timedelta(days=days))
        minutes = [m for created, m in rows if str(created) >= since]
        out.append(Percentiles(days, len(minutes), _quantile(minutes, 0.5),
                               _quantile(minutes, 0.9)))
    return out


@dataclass
class Attainment:
    plan: Plan
    tickets: int
    response_met: int
    resolution_met: int

    @property
    def response_rate(self) -> float:
        return self.response_met / self.tickets if self.tickets else 0.0

    @property
    def resolution_rate(self) -> float:
        return self.resolution_met / self.tickets if self.tickets else 0.0


def sla_attainment(now: datetime, days: int = DAYS) -> list[Attainment]:
    """Per plan, of the tickets created in the window that had a response target: how
    many were not breached (the SLA work keeps the breach flags).

    Read from the covering index alone and summed per organization here: grouped in
    SQL, SQLite would walk the whole table in organization order to avoid a sort.
    """
    query = (Ticket.select(Ticket.organization, Ticket.response_breached,
                           Ticket.resolution_breached)
             .where((Ticket.created_at >= now - timedelta(days=days))
                    & Ticket.first_response_due.is_null(False)))
    per_org: dict[int, tuple[int, int, int]] = {}
    for org_id, bad_r, bad_s in db.execute_sql(*query.sql()).fetchall():
        n, r, s = per_org.get(org_id, (0, 0, 0))
        per_org[org_id] = (n + 1, r + bool(bad_r), s + bool(bad_s))
    if not per_org:
        return []
    plan_of = dict(Organization.select(Organization.id, Organization.plan)
                   .where(Organization.id.in_(list(per_org))).tuples())
    plans = {p.id: p for p in Plan.select()}
    totals: dict[int, list[int]] = {}
    for org_id, (n, bad_r, bad_s) in per_org.items():
        total = totals.setdefault(plan_of[org_id], [0, 0, 0])
        total[0] += n
        total[1] += bad_r
        total[2] += bad_s
    out = [Attainment(plans[plan_id], n, n - bad_r, n - bad_s)
           for plan_id, (n, bad_r, bad_s) in totals.items()]
    return sorted(out, key=lambda a: a.plan.position)


def deflection(days: list[date]) -> list[tuple[date, int, int, float | None]]:
    """Per day: suggestion lists shown, "this answered my question", and their rate."""
    shown = counters.series("suggestions_shown", days)
    answered = counters.series("answered", days)
    return [(d, s, a, a / s if s else None)
            for d, s, a in zip(days, shown, answered, strict=True)]


def searches(now: datetime, days: int = DAYS) -> searchlog.Totals:
    """How the period's searches and suggestion lists ended (from the search log)."""
    return searchlog.totals(now - timedelta(days=days))


def top_articles(order) -> list[Article]:
    return list(Article.select(Article.id, Article.slug, Article.title, Article.language,
                               Article.views, Article.links)
                .where(Article.status == "published").order_by(order).limit(TOP))


def figures(now: datetime | None = None) -> dict:
    """Everything the dashboard shows."""
    now = now or clock.now()
    days = _days(counters.local_day(now))
    by_status, by_severity = backlog()
    return {
        "volumes": volumes(days),
        "by_status": by_status,
        "by_severity": by_severity,
        "first_response": first_response(now),
        "attainment": sla_attainment(now),
        "deflection": deflection(days),
        "searches": searches(now),
        "most_viewed": top_articles(Article.views.desc()),
        "most_linked": [a for a in top_articles(Article.links.desc()) if a.links],
    }
