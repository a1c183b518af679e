"""Calendars and SLA policies: checking, storing, looking up, and what is due when.

No Flask here. Every change is one transaction with its audit row; after it commits,
``events.rules_changed`` lets the tickets area recompute open tickets' due times.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from peewee import JOIN

from portal import settings
from portal.accounts.models import Plan
from portal.accounts.services import record
from portal.db import Prepared, db, transaction
from portal.errors import N_, NotFound, ServiceError
from portal.sla import events
from portal.sla.due import BusinessHours, Cover, due
from portal.sla.models import (
    PRIORITIES,
    TARGETS,
    WEEKDAYS,
    Calendar,
    CalendarHoliday,
    SlaPolicy,
)

DEFAULT_CALENDAR = "default"
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
MAX_TARGET_MINUTES = 366 * 24 * 60


# --- parsing what people type ---------------------------------------------------------

def parse_duration(text: str) -> int:
    """``90m``, ``4h`` or ``1h30m`` as minutes; zero, negative or unreadable is refused."""
    raw = (text or "").strip().lower()
    found = _DURATION.match(raw)
    if not raw or not found:
        raise ServiceError(N_("%(text)s is not a duration: write minutes or hours, such as "
                              "90m or 4h."), "duration", text=text)
    minutes = int(found.group(1) or 0) * 60 + int(found.group(2) or 0)
    if minutes <= 0:
        raise ServiceError(N_("A duration must be longer than zero."), "duration")
    if minutes > MAX_TARGET_MINUTES:
        raise ServiceError(N_("A duration can be at most a year."), "duration")
    return minutes


def format_duration(minutes: int) -> str:
    """Minutes as the CLI writes them: ``90m`` stays readable as ``1h30m``."""
    hours, rest = divmod(minutes, 60)
    return (f"{hours}h" if hours else "") + (f"{rest}m" if rest or not hours else "")


def _minute_of(text: str, end: bool) -> int:
    found = _CLOCK.match(text)
    if not found:
        raise ValueError(text)
    hour, minute = int(found.group(1)), int(found.group(2))
    if minute > 59 or hour > 24 or (hour == 24 and (minute or not end)):
        raise ValueError(text)
    return hour * 60 + minute


def _days_of(text: str) -> list[str]:
    days: list[str] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ValueError(part)
        i, j = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        if j < i:
            raise ValueError(part)
        days += WEEKDAYS[i:j + 1]
    return days


def parse_hours(specs: list[str]) -> dict[str, list[list[str]]]:
    """``["mon-fri 09:00-12:00,13:00-18:00", "sat 10:00-14:00"]`` as weekly hours.

    Each range must end after it starts, and ranges of one day may not overlap.
    """
    week: dict[str, list[tuple[int, int]]] = {}
    if not specs:
        raise ServiceError(N_("Give the open hours, such as \"mon-fri 09:00-18:00\"."),
                           "hours")
    for spec in specs:
        days_text, _, ranges_text = (spec or "").strip().lower().partition(" ")
        try:
            days = _days_of(days_text)
            ranges = []
            for item in ranges_text.replace(" ", "").split(","):
                start, _, end = item.partition("-")
                ranges.append((_minute_of(start, False), _minute_of(end, True)))
        except ValueError:
            raise ServiceError(N_("%(spec)s is not an opening time: write days and hours, "
                                  "such as \"mon-fri 09:00-18:00\"."), "hours",
                               spec=spec) from None
        for first, last in ranges:
            if last <= first:
                raise ServiceError(N_("In %(spec)s the hours must end after they start."),
                                   "hours", spec=spec)
        for day in days:
            week.setdefault(day, []).extend(ranges)
    for day, ranges in week.items():
        ranges.sort()
        for (_, end), (start, _) in zip(ranges, ranges[1:], strict=False):
            if start < end:
                raise ServiceError(N_("The hours of %(day)s overlap."), "hours", day=day)
    return {day: [[_clock(a), _clock(b)] for a, b in ranges] for day, ranges in week.items()}


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise ServiceError(N_("%(text)s is not a date: write YYYY-MM-DD."), "day",
                           text=text) from None


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except Exception:
        raise ServiceError(N_("%(tz)s is not a known time zone."), "timezone",
                           tz=name) from None
    return name


def _check_country(code: str) -> str:
    import holidays

    code = (code or "").strip().lower()
    if code and code.upper() not in holidays.list_supported_countries():
        raise ServiceError(N_("%(code)s is not a country whose holidays are known."),
                           "holidays", code=code)
    return code


# --- changing the rules ---------------------------------------------------------------

def _changed(what: str) -> int:
    """Tell the tickets area; return how many open tickets it recomputed."""
    return sum(n for _, n in events.rules_changed.send(what) if isinstance(n, int))


def set_calendar(name: str, tz: str, hours: list[str], national: str = "",
                 year_end: bool = False, actor=None) -> tuple[Calendar, int]:
    """Create or replace a calendar's zone, hours and holiday rules (its dated holidays
    stay); return it and how many open tickets were recomputed. The audit row names what
    changed as ``[old, new]``; a save that changes nothing writes none and recomputes none."""
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise ServiceError(N_("A calendar needs a name (64 characters at most)."), "name")
    tz, week = check_timezone((tz or "").strip()), parse_hours(hours)
    national = _check_country(national)
    with transaction():
        calendar = Calendar.get_or_none(Calendar.name == name)
        new = calendar is None
        calendar = calendar or Calendar(name=name)
        wanted = {"timezone": tz, "hours": week, "national_holidays": national,
                  "year_end": bool(year_end)}
        changes = {key: [None if new else getattr(calendar, key), value]
                   for key, value in wanted.items()
                   if new or getattr(calendar, key) != value}
        if not changes:
            return calendar, 0
        for key, value in wanted.items():
            setattr(calendar, key, value)
        calendar.updated_at = _now()
        calendar.save()
        record(actor, "calendar", "calendar", calendar.id, name=name, **changes)
    return calendar, _changed(f"calendar {name}")


def add_holiday(name: str, day: str, label: str = "", yearly: bool = False, actor=None
                ) -> tuple[CalendarHoliday, int]:
    """A closed day on a calendar (every year on that date with ``yearly``)."""
    when = parse_day(day)
    with transaction():
        calendar = get_calendar(name)
        holiday = CalendarHoliday.get_or_none((CalendarHoliday.calendar == calendar)
                                              & (CalendarHoliday.day == when))
        before = (holiday.name, holiday.yearly) if holiday else (None, None)
        holiday = holiday or CalendarHoliday(calendar=calendar, day=when)
        holiday.name, holiday.yearly = (label or "").strip()[:200], bool(yearly)
        if before == (holiday.name, holiday.yearly):
            return holiday, 0
        holiday.save()
        calendar.updated_at = _now()
        calendar.save(only=[Calendar.updated_at])
        record(actor, "holiday", "calendar", calendar.id, calendar=calendar.name,
               day=when.isoformat(), name=[before[0], holiday.name],
               yearly=[before[1], holiday.yearly])
    return holiday, _changed(f"calendar {calendar.name}")


def remove_holiday(name: str, day: str, actor=None) -> int:
    """Open the calendar again on a dated holiday; return how many open tickets were
    recomputed (none when there was no such holiday)."""
    when = parse_day(day)
    with transaction():
        calendar = get_calendar(name)
        holiday = CalendarHoliday.get_or_none((CalendarHoliday.calendar == calendar)
                                              & (CalendarHoliday.day == when))
        if holiday is None:
            return 0
        holiday.delete_instance()
        calendar.updated_at = _now()
        calendar.save(only=[Calendar.updated_at])
        record(actor, "holiday_removed", "calendar", calendar.id, calendar=calendar.name,
               day=when.isoformat(), name=[holiday.name, None],
               yearly=[holiday.yearly, None])
    return _changed(f"calendar {calendar.name}")


def get_calendar(name: str) -> Calendar:
    calendar = Calendar.get_or_none(Calendar.name == (name or "").strip())
    if calendar is None:
        raise NotFound(N_("There is no calendar called %(name)s."), "calendar", name=name)
    return calendar


def get_plan(code: str) -> Plan:
    plan = Plan.get_or_none(Plan.code == (code or "").strip())
    if plan is None:
        raise NotFound(N_("There is no plan called %(plan)s."), "plan", plan=code)
    return plan


def check_priority(value) -> int:
    if str(value).strip() not in {str(p) for p in PRIORITIES}:
        raise ServiceError(N_("The priority must be 1, 2, 3 or 4."), "priority")
    return int(value)


def set_policy(plan: str, priority, first_response: str, resolution: str,
               next_response: str = "", calendar: str | None = None, actor=None
               ) -> tuple[list, int]:
    """Replace the targets of ``plan`` at ``priority``: each counted on ``calendar``, or
    around the clock when it is None. Without ``next_response`` there is no such target.
    The audit row names what changed as ``[old, new]``; an unchanged row writes none."""
    chosen = get_plan(plan)
    level = check_priority(priority)
    minutes = {"first_response": parse_duration(first_response),
               "resolution": parse_duration(resolution)}
    if (next_response or "").strip():
        minutes["next_response"] = parse_duration(next_response)
    with transaction():
        cover = get_calendar(calendar) if calendar is not None else None
        where = (SlaPolicy.plan == chosen) & (SlaPolicy.priority == level)
        old_rows = list(SlaPolicy.select(SlaPolicy, Calendar)
                        .join(Calendar, JOIN.LEFT_OUTER).where(where))
        before = {row.target: format_duration(row.minutes) for row in old_rows}
        after = {target: format_duration(m) for target, m in minutes.items()}
        changes = {target: [before.get(target), after.get(target)] for target in TARGETS
                   if before.get(target) != after.get(target)}
        old_cover = sorted({row.calendar.name if row.calendar_id else "24x7"
                            for row in old_rows})
        new_cover = cover.name if cover else "24x7"
        if old_cover != [new_cover]:
            changes["calendar"] = [", ".join(old_cover) or None, new_cover]
        if not changes:
            return old_rows, 0
        SlaPolicy.delete().where(where).execute()
        rows = [SlaPolicy.create(plan=chosen, priority=level, target=target,
                                 minutes=minutes[target], calendar=cover, updated_at=_now())
                for target in TARGETS if target in minutes]
        record(actor, "sla", "plan", chosen.id, plan=chosen.code, priority=level, **changes)
    return rows, _changed(f"sla {chosen.code} {level}")


def _now() -> datetime:
    from portal import clock

    return clock.now()


# --- reading the rules ----------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """One target of a policy, ready to count: how long, and on which cover."""

    name: str
    minutes: int
    cover: Cover
    calendar: str  # the calendar's name, or "24x7"

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.minutes)

    def due(self, start: datetime, pauses=()) -> datetime | None:
        return due(start, self.duration, self.cover, pauses)

    def risk_at(self, start: datetime, pauses=()) -> datetime | None:
        """When ``risk_percent`` of the target has been used."""
        seconds = math.ceil(self.minutes * 60 * risk_percent() / 100)
        return due(start, timedelta(seconds=seconds), self.cover, pauses)


def risk_percent() -> int:
    return settings.get("SLA_AT_RISK_PERCENT", 80)


def policy_rows(plan_code: str = ""):
    query = (SlaPolicy.select(SlaPolicy, Plan, Calendar).join(Plan).switch(SlaPolicy)
             .join(Calendar, JOIN.LEFT_OUTER)
             .order_by(Plan.position, Plan.code, SlaPolicy.priority))
    if plan_code:
        query = query.where(Plan.code == get_plan(plan_code).code)
    return list(query)


def policy_table(plan_code: str = "") -> list[dict]:
    """One row per plan and priority: each target's duration and the cover."""
    table: dict[tuple[str, int], dict] = {}
    for row in policy_rows(plan_code):
        line = table.setdefault((row.plan.code, row.priority), {
            "plan": row.plan.code, "priority": row.priority, "cover": set()})
        line[row.target] = format_duration(row.minutes)
        line["cover"].add(row.calendar.name if row.calendar_id else "24x7")
    for line in table.values():
        line["cover"] = ", ".join(sorted(line["cover"]))
    return list(table.values())


def _policies(plan_id: int, priority: int):
    return (SlaPolicy.select(SlaPolicy, Calendar).join(Calendar, JOIN.LEFT_OUTER)
            .where((SlaPolicy.plan == plan_id) & (SlaPolicy.priority == priority)))


# Read for every ticket page and queue refresh: composed once (``portal.db.Prepared``).
_POLICIES = Prepared(_policies, -1, -2)


def targets_for(plan_id: int, priority: int) -> dict[str, Target]:
    """The targets promised on a plan at a priority (empty when it promises none)."""
    rows = (_POLICIES.rows(plan_id, priority) if plan_id is not None
            else _policies(plan_id, priority))
    return {row.target: Target(row.target, row.minutes,
                               cover_of(row.calendar) if row.calendar_id else None,
                               row.calendar.name if row.calendar_id else "24x7")
            for row in rows}


_COVERS: dict[tuple, BusinessHours] = {}


def cover_of(calendar: Calendar) -> BusinessHours:
    """The calendar as the due-time function counts it, built once per version (a
    calendar's ``updated_at`` moves with every change, its holidays included)."""
    key = (db.obj.database if db.obj else "", calendar.id, str(calendar.updated_at),
           calendar.timezone, repr(sorted(calendar.hours.items())),
           calendar.national_holidays, calendar.year_end)
    cover = _COVERS.get(key)
    if cover is None:
        if len(_COVERS) >= 64:
            _COVERS.clear()
        dated = [(h.day, h.yearly) for h in calendar.holidays]
        week = tuple(tuple((_minute_of(a, False), _minute_of(b, True))
                           for a, b in calendar.hours.get(day, ())) for day in WEEKDAYS)
        cover = _COVERS[key] = BusinessHours(
            ZoneInfo(calendar.timezone), week,
            _closed_days(calendar.national_holidays, calendar.year_end, dated))
    return cover


def _closed_days(national: str, year_end: bool, dated: list[tuple[date, bool]]):
    import holidays

    fixed = {day for day, yearly in dated if not yearly}
    every_year = {(day.month, day.day) for day, yearly in dated if yearly}
    table = holidays.country_holidays(national.upper()) if national else None

    def closed(day: date) -> bool:
        if day in fixed or (day.month, day.day) in every_year:
            return True
        if year_end and ((day.month == 12 and day.day >= 29) or (day.month == 1
                                                                   and day.day <= 3)):
            return True
        return table is not None and day in table

    return closed


def due_times(plan: str, priority, at: datetime) -> list[tuple[str, datetime]]:
    """When each target of ``plan`` at ``priority`` would fall due for a ticket filed
    (or, for the next response, a customer reply) at ``at`` (aware)."""
    chosen, level = get_plan(plan), check_priority(priority)
    start = at.astimezone(UTC).replace(tzinfo=None)
    found = targets_for(chosen.id, level)
    out = []
    for name in TARGETS:
        if name in found:
            moment = found[name].due(start)
            out.append((name, moment.replace(tzinfo=UTC).astimezone(at.tzinfo)))
    return out


# --- what a new portal starts with ----------------------------------------------------

# plan, priority: first response, next response, resolution, around the clock?
DEFAULT_POLICIES = {
    ("basic", 1): ("4h", "8h", "45h", False),
    ("basic", 2): ("8h", "9h", "90h", False),
    ("basic", 3): ("9h", "18h", "135h", False),
    ("basic", 4): ("18h", "27h", "180h", False),
    ("advanced", 1): ("1h", "2h", "18h", False),
    ("advanced", 2): ("2h", "4h", "36h", False),
    ("advanced", 3): ("4h", "9h", "72h", False),
    ("advanced", 4): ("9h", "18h", "135h", False),
    ("premium", 1): ("15m", "1h", "8h", True),
    ("premium", 2): ("1h", "2h", "24h", True),
    ("premium", 3): ("2h", "4h", "27h", False),
    ("premium", 4): ("4h", "9h", "45h", False),
}


def seed_defaults() -> bool:
    """The default calendar and policies, where none exist yet; True if any were made."""
    made = False
    with transaction():
        if not Calendar.select().exists():
            calendar = Calendar.create(
                name=DEFAULT_CALENDAR, timezone="Asia/Tokyo",
                hours={d: [["09:00", "18:00"]] for d in WEEKDAYS[:5]},
                national_holidays="jp", year_end=True, updated_at=_now())
            for month, day, label in ((1, 1, "元日 New Year's Day"),
                                      (12, 25, "Christmas Day")):
                CalendarHoliday.create(calendar=calendar, day=date(2000, month, day),
                                       name=label, yearly=True)
            made = True
        if not SlaPolicy.select().exists():
            calendar = Calendar.get_or_none(Calendar.name == DEFAULT_CALENDAR)
            plans = {p.code: p for p in Plan.select()}
            for (code, level), (first, nxt, resolution, always) in DEFAULT_POLICIES.items():
                if code not in plans or (calendar is None and not always):
                    continue
                for target, text in zip(TARGETS, (first, nxt, resolution), strict=True):
                    SlaPolicy.create(plan=plans[code], priority=level, target=target,
                                     minutes=parse_duration(text),
                                     calendar=None if always else calendar, updated_at=_now())
                made = True
    return made
