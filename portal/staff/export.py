"""The queue as CSV: streamed row by row, UTF-8 with a BOM. No Flask here.

A cell that a spreadsheet would read as a formula (it starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is prefixed with an apostrophe, so a subject typed
by a customer can never run in the agent's Excel ("CSV injection").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC
from zoneinfo import ZoneInfo

from portal.accounts.models import User
from portal.staff import services
from portal.tickets.numbering import format_number

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 500
MAX_ROWS = 200_000
HEADER = ("number", "subject", "status", "severity", "priority", "type", "organization",
          "plan", "trial", "requester", "requester_email", "assignee", "escalated",
          "created_at", "last_activity_at")


def escape_cell(value) -> str:
    """The cell's text, made inert if a spreadsheet would take it for a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _time(moment, zone: ZoneInfo) -> str:
    if not moment:
        return ""
    return moment.replace(tzinfo=UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def rows(viewer: User, filters: services.QueueFilters, locale: str, tz: str) -> Iterator[str]:
    """The CSV text in chunks: the BOM and header first, then CHUNK rows at a time."""
    zone = ZoneInfo(tz)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    ja = locale == "ja"
    query = services.queue(viewer, filters).limit(MAX_ROWS)
    for n, t in enumerate(query.iterator(), 1):
        writer.writerow([escape_cell(v) for v in (
            format_number(t.number), t.subject, t.status, t.severity, t.priority,
            t.type_ja if ja else t.type_en, t.org_name, t.plan_ja if ja else t.plan_en,
            "yes" if t.org_trial else "", t.requester_name, t.requester_email,
            t.assignee_name or "", "yes" if t.escalated else "",
            _time(t.created_at, zone), _time(t.last_activity_at, zone))])
        if n % CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
