"""Reading the audit trail: filters and the CSV export. No Flask here."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from peewee import JOIN

from portal.accounts.models import Audit, User
from portal.accounts.services import normalize_email

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class AuditFilters:
    """The audit page's filters as typed (dates are days in the viewer's time zone)."""

    who: str = ""  # e-mail or part of a name
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    since: str = ""  # YYYY-MM-DD
    until: str = ""


def _day(text: str, tz: str) -> datetime | None:
    """The start of a local day as a naive UTC time, as the portal stores times."""
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    local = datetime.combine(day, time(0), tzinfo=ZoneInfo(tz))
    return local.astimezone(UTC).replace(tzinfo=None)


def search(filters: AuditFilters, tz: str = "Asia/Tokyo"):
    """Audit rows matching the filters, newest first."""
    query = (Audit.select(Audit, User).join(User, JOIN.LEFT_OUTER)
             .order_by(Audit.created_at.desc(), Audit.id.desc()))
    who = (filters.who or "").strip()[:100]
    if who == "-":
        query = query.where(Audit.actor.is_null())
    elif who:
        query = query.where((User.email == normalize_email(who)) | User.name.contains(who))
    if filters.action:
        query = query.where(Audit.action == filters.action[:40])
    if filters.object_type:
        query = query.where(Audit.object_type == filters.object_type[:40])
    if filters.object_id.strip().isdigit():
        query = query.where(Audit.object_id == int(filters.object_id.strip()[:12]))
    since, until = _day(filters.since, tz), _day(filters.until, tz)
    if since:
        query = query.where(Audit.created_at >= since)
    if until:
        query = query.where(Audit.created_at < until + timedelta(days=1))
    return query


def choices() -> tuple[list[str], list[str]]:
    """The actions and object types that occur, for the filter menus."""
    actions = [r.action for r in Audit.select(Audit.action).distinct().order_by(Audit.action)]
    kinds = [r.object_type for r in
             Audit.select(Audit.object_type).distinct().order_by(Audit.object_type)]
    return actions, kinds


def changes(row: Audit) -> list[tuple[str, str]]:
    """The row's details as (field, text); a change reads ``old → new``."""
    detail = dict(row.detail or {})
    out = []
    if "old" in detail and "new" in detail:  # the tickets' style: one value changed
        out.append(("value", f"{_text(detail.pop('old'))} → {_text(detail.pop('new'))}"))
    for key, value in sorted(detail.items()):
        if value is None:
            continue
        if isinstance(value, list) and len(value) == 2:
            out.append((key, f"{_text(value[0])} → {_text(value[1])}"))
        else:
            out.append((key, _text(value)))
    return out


def _text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def cell(value: str) -> str:
    """A CSV cell a spreadsheet will not run: a leading formula character is quoted away."""
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_lines(rows, tz: str = "Asia/Tokyo") -> Iterator[str]:
    """The export, one encoded chunk per row; UTF-8 with a BOM so Excel reads Japanese."""
    zone = ZoneInfo(tz)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(["time", "actor_email", "actor_name", "action", "object_type",
                     "object_id", "changes"])
    for row in rows:
        when = row.created_at.replace(tzinfo=UTC).astimezone(zone).isoformat(timespec="seconds")
        actor = row.actor if row.actor_id else None
        writer.writerow([cell(v) for v in (
            when, actor.email if actor else "", actor.name if actor else "", row.action,
            row.object_type, row.object_id if row.object_id is not None else "",
            "; ".join(f"{k}: {v}" for k, v in changes(row)))])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    rest = buffer.getvalue()
    if rest:
        yield rest
