"""When a target falls due: pure functions over business hours, holidays and pauses.

Times go in and come out as naive UTC, the form the database stores. A calendar's
hours are wall-clock times in its own zone, so 09:00–18:00 in New York stays 09:00–18:00
across daylight saving, and a day that is closed (a holiday, the year-end closure)
simply has no open hours. Nothing here reads the database or the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

Span = tuple[datetime, datetime]
Pause = tuple[datetime, datetime | None]  # an open pause has no end yet

# A calendar whose open hours are all closed by holidays must not loop forever:
# beyond this many days without an open hour the target is treated as never due.
MAX_CLOSED_DAYS = 3 * 366
_FAR = datetime(9999, 12, 31)


@dataclass(frozen=True)
class BusinessHours:
    """Weekly open hours (Monday first; minutes after local midnight, end ≤ 1440)
    in ``tz``, less the days for which ``closed(day)`` is true."""

    tz: ZoneInfo
    week: tuple[tuple[tuple[int, int], ...], ...]
    closed: Callable[[date], bool] = field(default=lambda day: False, compare=False)
    # A day's open spans in UTC, worked out once: recomputing every open ticket asks
    # for the same few weeks thousands of times.
    _days: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("a week has seven days")
        if not any(self.week):
            raise ValueError("a calendar needs at least one open hour a week")

    def _utc(self, day: date, minute: int) -> datetime:
        local = datetime(day.year, day.month, day.day) + timedelta(minutes=minute)
        return local.replace(tzinfo=self.tz).astimezone(UTC).replace(tzinfo=None)

    def day_spans(self, day: date) -> tuple[Span, ...]:
        """The open spans of one local day, in UTC (none on a closed day)."""
        found = self._days.get(day)
        if found is None:
            if len(self._days) > 20_000:
                self._days.clear()
            found = () if self.closed(day) else tuple(
                (a, b) for a, b in ((self._utc(day, first), self._utc(day, last))
                                    for first, last in self.week[day.weekday()]) if b > a)
            self._days[day] = found
        return found

    def spans(self, start: datetime) -> Iterator[Span]:
        """Open spans from ``start`` on, in order (the first may begin at ``start``)."""
        day = start.replace(tzinfo=UTC).astimezone(self.tz).date() - timedelta(days=1)
        idle = 0
        while idle <= MAX_CLOSED_DAYS:
            opened = False
            for a, b in self.day_spans(day):
                if b > start:
                    opened = True
                    yield max(a, start), b
            idle = 0 if opened else idle + 1
            day += timedelta(days=1)


Cover = BusinessHours | None  # None: around the clock


def _spans(start: datetime, cover: Cover) -> Iterator[Span]:
    if cover is None:
        yield start, _FAR
    else:
        yield from cover.spans(start)


def _minus_pauses(spans: Iterator[Span], pauses: Sequence[Pause]) -> Iterator[Span]:
    """The spans with the paused time cut out (pauses sorted by start)."""
    ordered = sorted((a, b or _FAR) for a, b in pauses)
    for a, b in spans:
        for pa, pb in ordered:
            if pb <= a or pa >= b:
                continue
            if pa > a:
                yield a, pa
            a = max(a, pb)
            if a >= b:
                break
        if a < b:
            yield a, b
        if a >= _FAR:
            return


def due(start: datetime, target: timedelta, cover: Cover = None,
        pauses: Sequence[Pause] = ()) -> datetime | None:
    """The earliest moment by which ``target`` of counted time has passed since ``start``.

    Counted time is open time of ``cover`` (every moment when None) outside ``pauses``.
    None when the target is never reached: a pause that has not ended stops the clock.
    """
    if target <= timedelta(0):
        raise ValueError("a target must be longer than zero")
    left = target
    for a, b in _minus_pauses(_spans(start, cover), pauses):
        if b - a >= left:
            return a + left
        left -= b - a
    return None


def elapsed(start: datetime, end: datetime, cover: Cover = None,
            pauses: Sequence[Pause] = ()) -> timedelta:
    """Counted time between ``start`` and ``end`` (zero when ``end`` is not later)."""
    total = timedelta(0)
    if end <= start:
        return total
    for a, b in _minus_pauses(_spans(start, cover), pauses):
        if a >= end:
            break
        total += min(b, end) - a
    return total
