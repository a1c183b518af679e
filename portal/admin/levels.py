"""Business calendars and SLA policies as the admin pages edit them.

No Flask here. Every check is the sla area's own (the rules ``portal calendar`` and
``portal sla`` apply), run field by field first so a refusal lands beside the field it
belongs to; then the same service the command line calls stores the change, writes its
audit row and recomputes open tickets' due times.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from portal import clock
from portal.accounts.models import Plan, User
from portal.admin.catalog import Invalid
from portal.errors import N_, NotFound, ServiceError
from portal.sla import services as sla
from portal.sla.models import (
    PRIORITIES,
    TARGETS,
    WEEKDAYS,
    Calendar,
    CalendarHoliday,
    SlaPolicy,
)

AROUND_THE_CLOCK = "24x7"
NATIONAL = ("", "jp")  # the holiday sets the form offers: none, or Japan's


# --- calendars ---------------------------------------------------------------------------

@dataclass
class CalendarInput:
    name: str = ""
    timezone: str = "Asia/Tokyo"
    hours_mon: str = ""  # "09:00-12:00, 13:00-18:00"; empty: closed all day
    hours_tue: str = ""
    hours_wed: str = ""
    hours_thu: str = ""
    hours_fri: str = ""
    hours_sat: str = ""
    hours_sun: str = ""
    national_holidays: str = "jp"
    year_end: bool = False


@dataclass
class HolidayInput:
    day: str = ""
    holiday_name: str = ""
    yearly: bool = False


def calendars() -> list[Calendar]:
    return list(Calendar.select().order_by(Calendar.name))


def calendar_by_id(calendar_id: int) -> Calendar:
    found = Calendar.get_or_none(Calendar.id == calendar_id)
    if found is None:
        raise NotFound(N_("There is no such calendar."))
    return found


def holidays_of(calendar: Calendar) -> list[CalendarHoliday]:
    """Dated holidays, those of every year first (by month and day), then by date."""
    rows = list(calendar.holidays)
    return sorted(rows, key=lambda h: (not h.yearly, (h.day.month, h.day.day) if h.yearly
                                       else (h.day.year, h.day.month, h.day.day)))


def day_text(ranges: list) -> str:
    return ", ".join(f"{a}-{b}" for a, b in ranges)


def week_groups(hours: dict) -> list[tuple[str, str, str]]:
    """Open days as runs of consecutive days with the same hours: ``("mon", "fri",
    "09:00-18:00")``; closed days are left out."""
    groups: list[list] = []  # first day, last day, hours, the day after the last
    for i, day in enumerate(WEEKDAYS):
        text = day_text(hours.get(day, []))
        if not text:
            continue
        if groups and groups[-1][2] == text and groups[-1][3] == i:
            groups[-1][1] = day
        else:
            groups.append([day, day, text, None])
        groups[-1][3] = i + 1
    return [(first, last, text) for first, last, text, _ in groups]


def calendar_input(calendar: Calendar) -> CalendarInput:
    data = CalendarInput(name=calendar.name, timezone=calendar.timezone,
                         national_holidays=calendar.national_holidays,
                         year_end=calendar.year_end)
    for day in WEEKDAYS:
        setattr(data, f"hours_{day}", day_text(calendar.hours.get(day, [])))
    return data


def zone_choices(current: str = "") -> list[str]:
    """Real places of the tz database; a zone stored before that rule stays choosable."""
    zones = set(clock.real_zones())
    if current:
        zones.add(current)
    return sorted(zones)


def national_choices(current: str = "") -> list[str]:
    return list(NATIONAL) + ([current] if current and current not in NATIONAL else [])


_FORMAT = N_("Write each range as 09:00-18:00; separate several ranges with commas.")
_BACKWARDS = N_("Each range must end after it starts.")
_OVERLAP = N_("These ranges overlap.")


def _specs(data: CalendarInput, errors: dict) -> list[str]:
    """The week as ``portal calendar set --hours`` takes it, each day checked alone."""
    specs = []
    for day in WEEKDAYS:
        name = f"hours_{day}"
        text = " ".join(getattr(data, name).split())
        setattr(data, name, text)
        if not text:
            continue
        spec = f"{day} {text}"
        try:
            sla.parse_hours([spec])
        except ServiceError as err:  # the same rule, said of this one day
            said = (_OVERLAP if "day" in err.params else
                    _BACKWARDS if "end after" in err.message else _FORMAT)
            errors[name] = ServiceError(said, name)
        specs.append(spec)
    if not specs:
        errors["hours"] = ServiceError(N_("Open the calendar at least one day a week."),
                                       "hours")
    return specs


def save_calendar(actor: User | None, data: CalendarInput, calendar: Calendar | None = None
                  ) -> tuple[Calendar, int]:
    """Create a calendar, or change one's zone, hours and holiday rules; return it and how
    many open tickets were recomputed."""
    errors: dict[str, ServiceError] = {}
    if calendar is not None:
        data.name = calendar.name
    else:
        data.name = " ".join(data.name.split())
        if not data.name or len(data.name) > 64:
            errors["name"] = ServiceError(
                N_("A calendar needs a name (64 characters at most)."), "name")
        elif Calendar.select().where(Calendar.name == data.name).exists():
            errors["name"] = ServiceError(N_("A calendar called %(name)s already exists."),
                                          "name", name=data.name)
    data.timezone = data.timezone.strip()
    if data.timezone not in zone_choices(calendar.timezone if calendar else ""):
        errors["timezone"] = ServiceError(N_("%(tz)s is not a known time zone."), "timezone",
                                          tz=data.timezone)
    if data.national_holidays not in national_choices(
            calendar.national_holidays if calendar else ""):
        errors["national_holidays"] = ServiceError(N_("Choose from the list."),
                                                   "national_holidays")
    specs = _specs(data, errors)
    if errors:
        raise Invalid(errors)
    try:
        return sla.set_calendar(data.name, data.timezone, specs, data.national_holidays,
                                data.year_end, actor=actor)
    except ServiceError as err:
        where = {"holidays": "national_holidays"}.get(err.field or "", err.field or "_form")
        raise Invalid({where: err}) from None


def add_holiday(actor: User | None, calendar: Calendar, data: HolidayInput) -> int:
    """Close the calendar on a date (every year on it, if ``yearly``)."""
    data.holiday_name = " ".join(data.holiday_name.split())
    errors: dict[str, ServiceError] = {}
    try:
        sla.parse_day(data.day)
    except ServiceError as err:
        errors["day"] = err
    if len(data.holiday_name) > 200:
        errors["holiday_name"] = ServiceError(N_("At most 200 characters."), "holiday_name")
    if errors:
        raise Invalid(errors)
    return sla.add_holiday(calendar.name, data.day, data.holiday_name, data.yearly,
                           actor=actor)[1]


def remove_holiday(actor: User | None, calendar: Calendar, day: str) -> int:
    return sla.remove_holiday(calendar.name, day, actor=actor)


def usage() -> Counter:
    """How many plan × priority rows count on each calendar (by its id)."""
    rows = (SlaPolicy.select(SlaPolicy.calendar, SlaPolicy.plan, SlaPolicy.priority)
            .where(SlaPolicy.calendar.is_null(False)).distinct())
    return Counter(r.calendar_id for r in rows)


# --- SLA policies ------------------------------------------------------------------------

@dataclass
class PolicyInput:
    plan: str = ""
    priority: str = ""
    first_response: str = ""
    next_response: str = ""  # empty: no next-response target
    resolution: str = ""
    cover: str = ""  # a calendar's name, or AROUND_THE_CLOCK

    @property
    def key(self) -> str:
        return f"{self.plan}-{self.priority}"


@dataclass
class PlanPolicies:
    plan: Plan
    rows: list[PolicyInput] = field(default_factory=list)


def policy_grid(plan_code: str = "") -> list[PlanPolicies]:
    """Every plan × priority 1–4, with what is set (empty where nothing is)."""
    plans = [sla.get_plan(plan_code)] if plan_code else list(
        Plan.select().order_by(Plan.position, Plan.id))
    table = {(r["plan"], r["priority"]): r for r in sla.policy_table(plan_code)}
    grid = []
    for plan in plans:
        rows = []
        for level in PRIORITIES:
            line = table.get((plan.code, level), {})
            rows.append(PolicyInput(plan=plan.code, priority=str(level),
                                    first_response=line.get("first_response", ""),
                                    next_response=line.get("next_response", ""),
                                    resolution=line.get("resolution", ""),
                                    cover=line.get("cover", "")))
        grid.append(PlanPolicies(plan, rows))
    return grid


def save_policy(actor: User | None, data: PolicyInput) -> int:
    """Set one plan × priority row; return how many open tickets were recomputed."""
    errors: dict[str, ServiceError] = {}
    for name in TARGETS:
        value = getattr(data, name).strip()
        setattr(data, name, value)
        if name == "next_response" and not value:
            continue
        try:
            sla.parse_duration(value)
        except ServiceError as err:
            errors[name] = ServiceError(err.message, name, **err.params)
    data.cover = data.cover.strip()
    if data.cover != AROUND_THE_CLOCK and not Calendar.select().where(
            Calendar.name == data.cover).exists():
        errors["cover"] = ServiceError(N_("Choose a calendar, or around the clock."), "cover")
    try:
        sla.get_plan(data.plan)
        sla.check_priority(data.priority)
    except ServiceError as err:
        errors["_form"] = err
    if errors:
        raise Invalid(errors)
    calendar = None if data.cover == AROUND_THE_CLOCK else data.cover
    return sla.set_policy(data.plan, data.priority, data.first_response, data.resolution,
                          data.next_response, calendar, actor=actor)[1]


# --- "when would it be due?" -------------------------------------------------------------

@dataclass
class DueQuestion:
    due_plan: str = ""
    due_priority: str = "3"
    due_at: str = ""  # 2026-12-28T17:30, read in ``zone``; or ISO 8601 with an offset


def due_answer(question: DueQuestion, zone: str) -> list[tuple[str, datetime]]:
    """When each target would fall due for a ticket filed at the asked moment, as
    ``portal sla due`` prints it."""
    errors: dict[str, ServiceError] = {}
    moment = None
    try:
        moment = datetime.fromisoformat(question.due_at.strip())
    except ValueError:
        errors["due_at"] = ServiceError(N_("Enter a date and time, such as "
                                           "2026-12-28 17:30."), "due_at")
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    try:
        sla.get_plan(question.due_plan)
    except ServiceError as err:
        errors["due_plan"] = err
    try:
        sla.check_priority(question.due_priority)
    except ServiceError as err:
        errors["due_priority"] = err
    if errors:
        raise Invalid(errors)
    return sla.due_times(question.due_plan, question.due_priority, moment)
