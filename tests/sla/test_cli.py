"""`portal calendar …` and `portal sla …`: the public commands, and bad input refused whole."""

from datetime import datetime, timedelta

import holidays
import pytest

from portal.accounts.models import Audit
from portal.sla.models import Calendar, CalendarHoliday, SlaPolicy
from portal.sla.services import DEFAULT_POLICIES, parse_duration

JAPAN = holidays.country_holidays("JP")


def _snapshot():
    return ([(c.name, c.timezone, c.hours, c.national_holidays, c.year_end)
             for c in Calendar.select().order_by(Calendar.id)],
            [(h.calendar_id, h.day) for h in CalendarHoliday.select()],
            [(p.plan_id, p.priority, p.target, p.minutes, p.calendar_id)
             for p in SlaPolicy.select().order_by(SlaPolicy.id)])


def test_init_creates_the_default_calendar_and_policies(app):
    calendar = Calendar.get(Calendar.name == "default")
    assert calendar.timezone == "Asia/Tokyo" and calendar.national_holidays == "jp"
    assert calendar.year_end
    assert calendar.hours == {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu",
                                                                "fri")}
    assert {(h.day.month, h.day.day) for h in calendar.holidays if h.yearly} == {(1, 1),
                                                                                (12, 25)}
    assert SlaPolicy.select().count() == 12 * 3


def test_sla_show_prints_the_table(runner):
    out = runner.invoke(args=["sla", "show", "--plan", "premium"]).output.splitlines()
    assert out[0].split() == ["plan", "priority", "first_response", "next_response",
                              "resolution", "cover"]
    assert out[1].split() == ["premium", "1", "15m", "1h", "8h", "24x7"]
    assert out[3].split() == ["premium", "3", "2h", "4h", "27h", "default"]
    assert len(out) == 5


def test_done_when_year_end_and_around_the_clock(runner):
    """Filed Monday 28 December 2026 17:30 JST: business hours wait out the year-end
    closure; premium priority 1 is due within its 24/7 target."""
    basic = runner.invoke(args=["sla", "due", "--plan", "basic", "--priority", "3",
                                "--at", "2026-12-28T17:30:00+09:00"])
    assert basic.exit_code == 0
    assert basic.output.splitlines() == [
        "first_response 2027-01-04T17:30:00+09:00",  # 9 business hours: 30 min + 8.5 h
        "next_response 2027-01-05T17:30:00+09:00",
        "resolution 2027-01-25T17:30:00+09:00",  # 135 h; Monday 11 January is a holiday
    ]
    premium = runner.invoke(args=["sla", "due", "--plan", "premium", "--priority", "1",
                                  "--at", "2026-12-28T17:30:00+09:00"])
    assert premium.output.splitlines() == [
        "first_response 2026-12-28T17:45:00+09:00",
        "next_response 2026-12-28T18:30:00+09:00",
        "resolution 2026-12-29T01:30:00+09:00",
    ]


def _business_due(start: datetime, minutes: int) -> datetime:
    """A plain count of 09:00–18:00 on weekdays that are not Japanese holidays."""
    day, left = start, minutes
    while True:
        if day.weekday() < 5 and day.date() not in JAPAN:
            opens, closes = day.replace(hour=9, minute=0), day.replace(hour=18, minute=0)
            begin = max(opens, day)
            if begin < closes:
                if (closes - begin).total_seconds() / 60 >= left:
                    return begin + timedelta(minutes=left)
                left -= int((closes - begin).total_seconds() // 60)
        day = (day + timedelta(days=1)).replace(hour=0, minute=0)


@pytest.mark.parametrize("plan, priority", sorted(DEFAULT_POLICIES))
def test_every_default_target(runner, plan, priority):
    # Monday 18 January 2027, 10:00 JST: clear of the year-end closure and 25 December.
    first, nxt, resolution, always = DEFAULT_POLICIES[(plan, priority)]
    result = runner.invoke(args=["sla", "due", "--plan", plan, "--priority", str(priority),
                                 "--at", "2027-01-18T10:00:00+09:00"])
    start = datetime(2027, 1, 18, 10, 0)
    expected = []
    for name, text in (("first_response", first), ("next_response", nxt),
                       ("resolution", resolution)):
        minutes = parse_duration(text)
        when = start + timedelta(minutes=minutes) if always else _business_due(start, minutes)
        expected.append(f"{name} {when.isoformat()}+09:00")
    assert result.output.splitlines() == expected


def test_calendar_set_holiday_and_sla_set(runner):
    result = runner.invoke(args=["calendar", "set", "ny", "--tz", "America/New_York",
                                 "--hours", "mon-fri 09:00-12:00,13:00-17:00",
                                 "--hours", "sat 10:00-14:00", "--holidays", "us"])
    assert result.exit_code == 0, result.output
    calendar = Calendar.get(Calendar.name == "ny")
    assert calendar.hours["sat"] == [["10:00", "14:00"]]
    assert calendar.hours["mon"] == [["09:00", "12:00"], ["13:00", "17:00"]]
    assert runner.invoke(args=["calendar", "holiday", "ny", "2027-01-22", "--name",
                               "Offsite"]).exit_code == 0
    result = runner.invoke(args=["sla", "set", "--plan", "basic", "--priority", "4",
                                 "--first-response", "90m", "--resolution", "4h",
                                 "--calendar", "ny"])
    assert result.exit_code == 0, result.output
    # Friday 22 January is the holiday: Thursday 16:30 → Saturday 10:00 + the rest.
    out = runner.invoke(args=["sla", "due", "--plan", "basic", "--priority", "4",
                              "--at", "2027-01-21T16:30:00-05:00"]).output.splitlines()
    assert out == ["first_response 2027-01-23T11:00:00-05:00",
                   "resolution 2027-01-23T13:30:00-05:00"]
    assert Audit.select().where(Audit.action.in_(("calendar", "holiday", "sla"))).count() == 3
    result = runner.invoke(args=["sla", "set", "--plan", "basic", "--priority", "4",
                                 "--first-response", "1h", "--resolution", "2h", "--24x7"])
    assert result.exit_code == 0
    assert SlaPolicy.get((SlaPolicy.priority == 4) & (SlaPolicy.target == "resolution")
                         & (SlaPolicy.plan == 1)).calendar_id is None


@pytest.mark.parametrize("args, message", [
    (["calendar", "set", "x", "--tz", "Mars/Olympus", "--hours", "mon-fri 09:00-18:00"],
     "not a known time zone"),
    (["calendar", "set", "default", "--tz", "UTC", "--hours", "mon-fri 18:00-09:00"],
     "must end after they start"),
    (["calendar", "set", "default", "--tz", "UTC", "--hours", "mon-fri 09:00-09:00"],
     "must end after they start"),
    (["calendar", "set", "default", "--tz", "UTC", "--hours", "mon 09:00-13:00,12:00-18:00"],
     "overlap"),
    (["calendar", "set", "default", "--tz", "UTC", "--hours", "mon-fri 09:00-18:00",
      "--hours", "wed 17:00-19:00"], "overlap"),
    (["calendar", "set", "default", "--tz", "UTC", "--hours", "someday 9-5"],
     "not an opening time"),
    (["calendar", "set", "default", "--tz", "UTC", "--hours", "mon 09:00-25:00"],
     "not an opening time"),
    (["calendar", "holiday", "default", "2026-02-30"], "not a date"),
    (["calendar", "holiday", "default", "tomorrow"], "not a date"),
    (["calendar", "holiday", "nowhere", "2026-02-03"], "no calendar"),
    (["sla", "set", "--plan", "gold", "--priority", "1", "--first-response", "1h",
      "--resolution", "4h", "--24x7"], "no plan called gold"),
    (["sla", "set", "--plan", "basic", "--priority", "5", "--first-response", "1h",
      "--resolution", "4h", "--24x7"], "priority must be 1, 2, 3 or 4"),
    (["sla", "set", "--plan", "basic", "--priority", "0", "--first-response", "1h",
      "--resolution", "4h", "--24x7"], "priority must be 1, 2, 3 or 4"),
    (["sla", "set", "--plan", "basic", "--priority", "1", "--first-response", "0m",
      "--resolution", "4h", "--24x7"], "longer than zero"),
    (["sla", "set", "--plan", "basic", "--priority", "1", "--first-response", "-1h",
      "--resolution", "4h", "--24x7"], "not a duration"),
    (["sla", "set", "--plan", "basic", "--priority", "1", "--first-response", "soon",
      "--resolution", "4h", "--24x7"], "not a duration"),
    (["sla", "set", "--plan", "basic", "--priority", "1", "--first-response", "1h",
      "--resolution", "4h", "--next-response", "0h", "--24x7"], "longer than zero"),
    (["sla", "set", "--plan", "basic", "--priority", "1", "--first-response", "1h",
      "--resolution", "4h", "--calendar", "nowhere"], "no calendar"),
    (["sla", "set", "--plan", "basic", "--priority", "1", "--first-response", "1h",
      "--resolution", "4h"], "--calendar NAME or --24x7"),
    (["sla", "show", "--plan", "gold"], "no plan called gold"),
    (["sla", "due", "--plan", "gold", "--priority", "1", "--at", "2026-12-28T17:30:00"],
     "no plan called gold"),
    (["sla", "due", "--plan", "basic", "--priority", "9", "--at", "2026-12-28T17:30:00"],
     "priority must be"),
    (["sla", "due", "--plan", "basic", "--priority", "1", "--at", "yesterday"],
     "not an ISO 8601 time"),
])
def test_bad_input_is_one_line_exit_1_and_changes_nothing(runner, args, message):
    before = _snapshot()
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.output
    assert _snapshot() == before
