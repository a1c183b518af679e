"""``portal calendar …`` and ``portal sla …``: each command parses and calls a service."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click

from portal.errors import ServiceError


def _prepare() -> None:
    from portal import bootstrap

    bootstrap.prepare()


def _fail(err: ServiceError) -> None:
    raise click.ClickException(err.text())


@click.group("calendar")
def calendar_group() -> None:
    """Business calendars: open hours, time zone and holidays."""


@calendar_group.command("set")
@click.argument("name")
@click.option("--tz", required=True, help="time zone, e.g. Asia/Tokyo")
@click.option("--hours", "hours", multiple=True, required=True,
              help='open hours, e.g. "mon-fri 09:00-18:00" (repeatable)')
@click.option("--holidays", "national", default="",
              help="national holidays of a country, e.g. jp")
@click.option("--year-end", is_flag=True, help="closed 29 December – 3 January")
def calendar_set_command(name: str, tz: str, hours: tuple[str, ...], national: str,
                         year_end: bool) -> None:
    """Create or replace the calendar NAME (its dated holidays are kept)."""
    from portal.sla import services

    _prepare()
    try:
        calendar, count = services.set_calendar(name, tz, list(hours), national, year_end)
    except ServiceError as err:
        _fail(err)
    click.echo(f"calendar {calendar.name} saved; recomputed {count} open tickets")


@calendar_group.command("holiday")
@click.argument("name")
@click.argument("day")
@click.option("--name", "label", default="", help="what the day is called")
@click.option("--yearly", is_flag=True, help="closed on this date every year")
def calendar_holiday_command(name: str, day: str, label: str, yearly: bool) -> None:
    """Close the calendar NAME on DAY (YYYY-MM-DD)."""
    from portal.sla import services

    _prepare()
    try:
        holiday, count = services.add_holiday(name, day, label, yearly)
    except ServiceError as err:
        _fail(err)
    click.echo(f"holiday {holiday.day.isoformat()} added to {name}; "
               f"recomputed {count} open tickets")


@click.group("sla")
def sla_group() -> None:
    """SLA policies: response and resolution targets per plan and priority."""


@sla_group.command("set")
@click.option("--plan", required=True)
@click.option("--priority", required=True)
@click.option("--first-response", required=True, help="e.g. 90m or 4h")
@click.option("--resolution", required=True, help="e.g. 8h")
@click.option("--next-response", default="", help="after each customer reply, e.g. 4h")
@click.option("--calendar", default=None, help="count on this business calendar")
@click.option("--24x7", "around_the_clock", is_flag=True, help="count around the clock")
def sla_set_command(plan, priority, first_response, resolution, next_response, calendar,
                    around_the_clock) -> None:
    """Set the targets of a plan at a priority (on --calendar NAME or --24x7)."""
    from portal.sla import services

    if (calendar is None) == (not around_the_clock):
        raise click.ClickException("give either --calendar NAME or --24x7")
    _prepare()
    try:
        _, count = services.set_policy(plan, priority, first_response, resolution,
                                       next_response, calendar)
    except ServiceError as err:
        _fail(err)
    click.echo(f"sla {plan} priority {priority} saved; recomputed {count} open tickets")


@sla_group.command("show")
@click.option("--plan", default="")
def sla_show_command(plan: str) -> None:
    """Print the policies as a table."""
    from portal.sla import services

    _prepare()
    try:
        rows = services.policy_table(plan)
    except ServiceError as err:
        _fail(err)
    heads = ("plan", "priority", "first_response", "next_response", "resolution", "cover")
    lines = [heads] + [tuple(str(r.get(h, "-")) for h in heads) for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(heads))]
    for line in lines:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True))
                   .rstrip())


@sla_group.command("due")
@click.option("--plan", required=True)
@click.option("--priority", required=True)
@click.option("--at", "at", required=True, help="ISO 8601, e.g. 2026-12-28T17:30:00+09:00")
def sla_due_command(plan: str, priority: str, at: str) -> None:
    """Print when each target would fall due for a ticket filed at --at."""
    from portal import settings
    from portal.sla import services

    try:
        moment = datetime.fromisoformat(at.strip())
    except ValueError:
        raise click.ClickException(f"{at} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(settings.get("TIMEZONE", "Asia/Tokyo")))
    _prepare()
    try:
        lines = services.due_times(plan, priority, moment)
    except ServiceError as err:
        _fail(err)
    for name, when in lines:
        click.echo(f"{name} {when.isoformat()}")
