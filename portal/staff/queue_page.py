"""The queue's page of rows and its count, as the queue page shows them. No Flask here.

The rows are plain namespaces of what a row shows (``services.ROW_FIELDS`` and the joined
names), not model instances, which cost eight times the query on a page of fifty (3.3 ms
against 0.4 ms). The statements of the common queues are composed once per shape of
filters (:class:`portal.db.Statement`) and run with this viewer and this moment:
composing the six-table query cost Peewee more than running it.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from peewee import SQL, BooleanField, DateTimeField, Select, fn

from portal import clock
from portal.accounts.models import User
from portal.db import Statement, db
from portal.staff.queue import SLA_STATES, VIEWS, Someone
from portal.staff.services import ROW_FIELDS, QueueFilters, matching, queue
from portal.tickets.models import SEVERITIES, STATUSES


class QueueRows:
    """The queue's page as plain rows: what :func:`queue` selects with :data:`ROW_FIELDS`,
    each row a namespace of those names. Hands :func:`portal.pagination.paginate` the page
    it asks for, and (as ``counted``) the number of matching tickets.

    The statements of the common queues (views, status, severity, mine or unassigned,
    any order: nothing looked up by name, no text) are composed once per shape and run
    with this viewer and this moment; composing them cost a millisecond a page.
    """

    def __init__(self, viewer: User, f: QueueFilters, cap: int) -> None:
        self.viewer, self.filters, self.cap = viewer, f, cap
        self.now = clock.now()
        self.shape = _shape(f)

    def paginate(self, number: int, per_page: int) -> list[SimpleNamespace]:
        values = (self.viewer.id, self.now, per_page, (number - 1) * per_page)
        if self.shape is not None:
            cursor = _statement(("rows", self.shape, None), _page_of).execute(*values)
        else:
            cursor = db.execute_sql(*_page_of(*values, self.filters).sql())
        names = [column[0] for column in cursor.description]
        convert = [_CONVERTERS.get(name) for name in names]
        return [SimpleNamespace(**{name: value if how is None or value is None else how(value)
                                   for name, how, value in zip(names, convert, row, strict=True)})
                for row in cursor.fetchall()]

    def limit(self, cap: int) -> QueueRows:
        """(For ``paginate``) counting stops past ``cap``, as the statement does."""
        if cap != self.cap + 1:
            raise ValueError(f"the queue counts to {self.cap + 1}, not {cap}")
        return self

    def count(self) -> int:
        values = (self.viewer.id, self.now)
        if self.shape is not None:
            cursor = _statement(("count", self.shape, self.cap), _count_of).execute(*values)
        else:
            cursor = db.execute_sql(*_count_of(*values, self.filters, self.cap).sql())
        return cursor.fetchone()[0]


def _shape(f: QueueFilters) -> tuple | None:
    """The filters as the key of a composed-once statement, or None when they name
    something to look up (an agent, an organization, a type) or search text."""
    if (f.status in ("", "all", *STATUSES) and f.view in ("", *VIEWS)
            and f.sla in ("", *SLA_STATES) and f.severity in ("", *map(str, SEVERITIES))
            and f.assignee in ("", "mine", "unassigned") and not (f.org or f.type or f.q)):
        return (f.status, f.view, f.sla, f.severity, f.assignee, f.order())
    return None


def _filters_of(shape: tuple) -> QueueFilters:
    status, view, sla, severity, assignee, order = shape
    return QueueFilters(status=status, view=view, sla=sla, severity=severity,
                        assignee=assignee, sort=order)


def _page_of(viewer_id: int, now: datetime, limit: int, offset: int, f: QueueFilters):
    return (queue(Someone(viewer_id), f, ROW_FIELDS, now).limit(limit).offset(offset))


def _count_of(viewer_id: int, now: datetime, f: QueueFilters, cap: int) -> Select:
    capped = matching(Someone(viewer_id), f, now=now).limit(cap + 1)
    return Select([capped.alias("_wrapped")], [fn.COUNT(SQL("1"))]).bind(db.obj)


_STATEMENTS: dict[tuple, Statement] = {}
MAX_STATEMENTS = 500  # shapes kept per worker; past that the others are composed each time
# Values no queue holds as a constant: a viewer, a moment, a page's size and offset.
_SENTINELS = (-7_405_011, datetime(1901, 2, 3, 4, 5, 6, 7011), -7_405_012, -7_405_013)


def _statement(key: tuple, build) -> Statement:
    found = _STATEMENTS.get(key)
    if found is None:
        kind, shape, cap = key
        f = _filters_of(shape)
        sentinels = _SENTINELS if kind == "rows" else _SENTINELS[:2]
        found = Statement((lambda *v: build(*v, f)) if kind == "rows"
                          else (lambda *v: build(*v, f, cap)), *sentinels, all_used=False)
        if len(_STATEMENTS) < MAX_STATEMENTS:
            _STATEMENTS[key] = found
    return found


def _as_datetime(value):
    # Stored as ISO text on SQLite; PostgreSQL hands datetimes over already.
    return datetime.fromisoformat(value) if isinstance(value, str) else value


_CONVERTERS = {field.name: (_as_datetime if isinstance(field, DateTimeField) else bool)
               for field in ROW_FIELDS if isinstance(field, DateTimeField | BooleanField)}
_CONVERTERS["org_trial"] = bool
