"""Admin pages for business calendars: hours, time zone, holiday rules, dated holidays."""

from __future__ import annotations

from babel.dates import format_skeleton
from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale, gettext, ngettext
from flask_login import current_user

from portal.accounts.guards import admin_required
from portal.admin import levels
from portal.admin.forms import errors_of, read
from portal.errors import ServiceError


def _done(calendar_id: int, recomputed: int):
    flash(gettext("Saved.") + " " + ngettext(
        "Due times of %(num)d open ticket were recomputed.",
        "Due times of %(num)d open tickets were recomputed.", recomputed), "success")
    return redirect(url_for("admin.calendar", calendar_id=calendar_id))


def _day_label(holiday) -> str:
    """A dated holiday as people read it: "every year on 25 Dec", or the full date."""
    if holiday.yearly:
        return gettext("Every year on %(date)s", date=format_skeleton(
            "MMMd", holiday.day, locale=str(get_locale())))
    return format_date(holiday.day, "medium")


def _page(calendar, data, errors, holiday=None, holiday_errors=None, status=200):
    return render_template(
        "admin/calendar.html", calendar=calendar, data=data, errors=errors,
        holiday=holiday or levels.HolidayInput(), holiday_errors=holiday_errors or {},
        holidays=[(h, _day_label(h)) for h in levels.holidays_of(calendar)] if calendar else [],
        zones=levels.zone_choices(calendar.timezone if calendar else ""),
        nationals=levels.national_choices(calendar.national_holidays if calendar else ""),
        ), status


def _save(calendar):
    data = read(levels.CalendarInput, flags=("year_end",))
    try:
        saved, recomputed = levels.save_calendar(current_user._get_current_object(), data,
                                                 calendar)
    except ServiceError as err:
        return _page(calendar, data, errors_of(err), status=400)
    return _done(saved.id, recomputed)


@admin_required
def index():
    if request.method == "POST":
        return _save(None)
    if request.args.get("new"):
        data = levels.CalendarInput(hours_mon="09:00-18:00", hours_tue="09:00-18:00",
                                    hours_wed="09:00-18:00", hours_thu="09:00-18:00",
                                    hours_fri="09:00-18:00", year_end=True)
        return _page(None, data, {})
    return render_template("admin/calendars.html", calendars=levels.calendars(),
                           usage=levels.usage(), week_groups=levels.week_groups)


@admin_required
def edit(calendar_id: int):
    calendar = levels.calendar_by_id(calendar_id)
    if request.method == "GET":
        return _page(calendar, levels.calendar_input(calendar), {})
    action = request.form.get("action", "save")
    actor = current_user._get_current_object()
    if action == "add_holiday":
        holiday = read(levels.HolidayInput, flags=("yearly",))
        try:
            recomputed = levels.add_holiday(actor, calendar, holiday)
        except ServiceError as err:
            return _page(calendar, levels.calendar_input(calendar), {}, holiday,
                         errors_of(err), 400)
        return _done(calendar.id, recomputed)
    if action == "remove_holiday":
        return _done(calendar.id, levels.remove_holiday(actor, calendar,
                                                        request.form.get("day", "")[:20]))
    return _save(calendar)
