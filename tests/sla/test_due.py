"""The due-time function: properties over random starts, targets and pauses."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.sla.due import BusinessHours, due, elapsed

TOKYO, NEW_YORK = ZoneInfo("Asia/Tokyo"), ZoneInfo("America/New_York")
JP, US = holidays.country_holidays("JP"), holidays.country_holidays("US")


def _year_end(day: date) -> bool:
    return (day.month, day.day) >= (12, 29) or (day.month, day.day) <= (1, 3)


def weekdays(*ranges):
    return tuple(tuple(ranges) if i < 5 else () for i in range(7))


TOKYO_HOURS = BusinessHours(TOKYO, weekdays((540, 1080)),
                            lambda d: d in JP or _year_end(d) or (d.month, d.day) == (12, 25))
# Two ranges a day and a Saturday morning, in a zone with daylight saving.
NY_HOURS = BusinessHours(NEW_YORK, weekdays((480, 720), (780, 1020))[:5] + (((600, 840),), ()),
                         lambda d: d in US)
COVERS = {"tokyo": TOKYO_HOURS, "new_york": NY_HOURS}

starts = st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2028, 1, 31))
targets = st.integers(min_value=1, max_value=60 * 24 * 6).map(lambda m: timedelta(minutes=m))
covers = st.sampled_from(sorted(COVERS))


def _local(moment: datetime, cover: BusinessHours) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(cover.tz)


def _is_open_or_closing(moment: datetime, cover: BusinessHours) -> bool:
    """Inside open hours, or exactly when they close (the earliest moment it is met)."""
    local = _local(moment, cover)
    if cover.closed(local.date()):
        return False
    minute = local.hour * 60 + local.minute + local.second / 60 + local.microsecond / 6e7
    return any(a < minute <= b for a, b in cover.week[local.weekday()])


@settings(max_examples=300, deadline=None, database=None)
@given(starts, targets, covers)
def test_a_business_hours_due_time_never_falls_in_closed_hours(start, target, name):
    cover = COVERS[name]
    assert _is_open_or_closing(due(start, target, cover), cover)


@settings(max_examples=300, deadline=None, database=None)
@given(starts, st.integers(min_value=0, max_value=60 * 24 * 10), targets, covers)
def test_a_later_start_never_makes_it_due_earlier(start, later_by, target, name):
    cover = COVERS[name]
    assert due(start + timedelta(minutes=later_by), target, cover) >= due(start, target, cover)


@settings(max_examples=300, deadline=None, database=None)
@given(starts, targets, st.integers(0, 60 * 24 * 4), st.integers(1, 60 * 24 * 4),
       st.sampled_from(["tokyo", "new_york", "24x7"]))
def test_a_pause_moves_it_by_exactly_the_business_time_paused(start, target, offset, length,
                                                              name):
    cover = COVERS.get(name)
    pause = (start + timedelta(minutes=offset), start + timedelta(minutes=offset + length))
    before = due(start, target, cover)
    after = due(start, target, cover, [pause])
    if pause[0] >= before:
        assert after == before  # a pause after it was due changes nothing
    else:
        paused = elapsed(max(pause[0], start), pause[1], cover)
        assert elapsed(start, after, cover) - paused == target
        assert after == due(start, target + paused, cover)


@settings(max_examples=200, deadline=None, database=None)
@given(starts, targets, covers)
def test_counted_time_up_to_the_due_time_is_the_target(start, target, name):
    cover = COVERS[name]
    assert elapsed(start, due(start, target, cover), cover) == target


def _jst(*args) -> datetime:
    return datetime(*args, tzinfo=TOKYO).astimezone(UTC).replace(tzinfo=None)


def test_year_end_closure_in_tokyo():
    # Monday 28 December 2026, 17:30 JST: half an hour left that day, then closed until
    # Monday 4 January 2027.
    start = _jst(2026, 12, 28, 17, 30)
    assert due(start, timedelta(minutes=30), TOKYO_HOURS) == _jst(2026, 12, 28, 18, 0)
    assert due(start, timedelta(hours=1), TOKYO_HOURS) == _jst(2027, 1, 4, 9, 30)
    assert due(start, timedelta(hours=1), None) == _jst(2026, 12, 28, 18, 30)


def test_japanese_holidays_and_weekends_are_skipped():
    # Friday 1 May 2026 17:00 → Golden Week (2–6 May, with the substitute holiday) → 7 May.
    assert due(_jst(2026, 5, 1, 17, 0), timedelta(hours=2), TOKYO_HOURS) == \
        _jst(2026, 5, 7, 10, 0)


def test_daylight_saving_keeps_wall_clock_hours_in_new_york():
    ny = BusinessHours(NEW_YORK, weekdays((540, 1020)))
    def local(*args):
        return datetime(*args, tzinfo=NEW_YORK).astimezone(UTC).replace(tzinfo=None)
    # Friday 6 March 2026 16:00 EST; clocks go forward on Sunday 8 March.
    assert due(local(2026, 3, 6, 16, 0), timedelta(hours=2), ny) == local(2026, 3, 9, 10, 0)
    assert local(2026, 3, 9, 10, 0) - local(2026, 3, 6, 16, 0) == timedelta(days=2, hours=17)
    # Friday 30 October 2026 16:00 EDT; clocks go back on Sunday 1 November.
    assert due(local(2026, 10, 30, 16, 0), timedelta(hours=2), ny) == local(2026, 11, 2, 10, 0)


def test_an_open_pause_stops_the_clock():
    start = datetime(2026, 1, 5, 0, 0)
    assert due(start, timedelta(hours=2), None, [(start + timedelta(hours=1), None)]) is None
    assert due(start, timedelta(hours=1), None, [(start + timedelta(hours=1), None)]) == \
        start + timedelta(hours=1)


def test_a_target_must_be_positive_and_a_calendar_must_open():
    with pytest.raises(ValueError):
        due(datetime(2026, 1, 1), timedelta(0), None)
    with pytest.raises(ValueError):
        BusinessHours(TOKYO, ((),) * 7)
    always_closed = BusinessHours(TOKYO, weekdays((540, 1080)), lambda d: True)
    assert due(datetime(2026, 1, 1), timedelta(hours=1), always_closed) is None
