"""Calendars and SLA policies from the browser: the command line's rules, audited, and
open tickets' due times recomputed."""

from datetime import datetime

import pytest

from portal import clock
from portal.accounts.models import Audit
from portal.sla.models import Calendar, CalendarHoliday, SlaPolicy
from portal.tickets.models import Ticket
from tests import factories

PAGES = ["/admin/calendars", "/admin/calendars?new=1", "/admin/calendars/1", "/admin/sla",
         "/admin/sla?plan=basic"]
WEEK = {f"hours_{d}": "09:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri")}


@pytest.fixture
def admin(people, client, login):
    login("root@support.example")
    return people["admin"]


def _snapshot():
    return ([(c.name, c.timezone, c.hours, c.national_holidays, c.year_end, str(c.updated_at))
             for c in Calendar.select().order_by(Calendar.id)],
            [(h.calendar_id, h.day, h.name, h.yearly) for h in CalendarHoliday.select()],
            [(p.plan_id, p.priority, p.target, p.minutes, p.calendar_id)
             for p in SlaPolicy.select().order_by(SlaPolicy.id)],
            Audit.select().count())


def _last_audit(action):
    return Audit.select().where(Audit.action == action).order_by(Audit.id.desc()).get()


def _minutes(plan_code, priority, target):
    from portal.accounts.models import Plan

    return SlaPolicy.get((SlaPolicy.plan == Plan.get(Plan.code == plan_code))
                         & (SlaPolicy.priority == priority) & (SlaPolicy.target == target))


# --- who may ------------------------------------------------------------------------------

@pytest.mark.parametrize("email", ["agent@support.example", "boss@acme.example",
                                   "contact@acme.example"])
def test_only_admins_reach_calendars_and_sla(people, client, login, email):
    login(email)
    before = _snapshot()
    for url in PAGES:
        assert client.get(url).status_code == 404, url
    posts = [("/admin/calendars", {"name": "evil", "timezone": "UTC", **WEEK}),
             ("/admin/calendars/1", {"action": "save", "timezone": "UTC", **WEEK}),
             ("/admin/calendars/1", {"action": "add_holiday", "day": "2027-02-02"}),
             ("/admin/calendars/1", {"action": "remove_holiday", "day": "2000-01-01"}),
             ("/admin/sla", {"plan": "basic", "priority": "1", "first_response": "1m",
                             "resolution": "2m", "cover": "24x7"})]
    for url, form in posts:
        assert client.submit(url, form).status_code == 404, url
    assert _snapshot() == before


def test_signed_out_visitors_are_sent_to_sign_in(app, people):
    anonymous = app.test_client()
    for url in ("/admin/calendars", "/admin/sla"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_changes_need_the_csrf_token(admin, client):
    before = _snapshot()
    for url, form in [("/admin/calendars", {"name": "x", "timezone": "UTC", **WEEK}),
                      ("/admin/calendars/1", {"action": "remove_holiday",
                                              "day": "2000-01-01"}),
                      ("/admin/sla", {"plan": "basic", "priority": "1",
                                      "first_response": "1m", "resolution": "2m",
                                      "cover": "24x7"})]:
        assert client.post(url, data=form).status_code == 400, url
    assert _snapshot() == before


def test_pages_answer_and_the_menu_lists_them(admin, client):
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    menu = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/calendars"' in menu and 'href="/admin/sla"' in menu
    assert 'href="/admin/sla?plan=basic"' in client.get("/admin/plans/basic").get_data(
        as_text=True)
    assert client.get("/admin/calendars/999").status_code == 404
    assert client.get("/admin/sla?plan=nope").status_code == 404


# --- calendars ----------------------------------------------------------------------------

def test_create_a_calendar_with_split_days_and_audit(admin, client):
    response = client.submit("/admin/calendars", {
        "name": "New York", "timezone": "America/New_York",
        "hours_mon": "09:00-12:00, 13:00-17:00", "hours_sat": "10:00-14:00",
        "national_holidays": "", "year_end": ""})
    calendar = Calendar.get(Calendar.name == "New York")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/calendars/{calendar.id}"
    assert calendar.hours == {"mon": [["09:00", "12:00"], ["13:00", "17:00"]],
                              "sat": [["10:00", "14:00"]]}
    assert calendar.timezone == "America/New_York" and not calendar.year_end
    row = _last_audit("calendar")
    assert row.actor_id == admin.id and row.object_id == calendar.id
    assert row.detail["timezone"] == [None, "America/New_York"]
    page = client.get(f"/admin/calendars/{calendar.id}").get_data(as_text=True)
    assert 'value="09:00-12:00, 13:00-17:00"' in page
    listing = client.get("/admin/calendars").get_data(as_text=True)
    assert "New York" in listing and "10:00-14:00" in listing


def test_edit_writes_what_changed_from_what(admin, client):
    calendar = Calendar.get(Calendar.name == "default")
    form = {"action": "save", "timezone": "Asia/Tokyo", "national_holidays": "jp",
            "year_end": "1", **WEEK, "hours_fri": "09:00-17:00"}
    assert client.submit(f"/admin/calendars/{calendar.id}", form).status_code == 302
    row = _last_audit("calendar")
    assert row.actor_id == admin.id
    assert row.detail["hours"][0]["fri"] == [["09:00", "18:00"]]
    assert row.detail["hours"][1]["fri"] == [["09:00", "17:00"]]
    assert set(row.detail) == {"name", "hours"}  # only what changed
    count = Audit.select().count()
    client.submit(f"/admin/calendars/{calendar.id}", form)  # the same again: no change
    assert Audit.select().count() == count


@pytest.mark.parametrize("field, value, message", [
    ("timezone", "Mars/Olympus", "is not a known time zone"),
    ("timezone", "Etc/GMT+5", "is not a known time zone"),  # real to zoneinfo, not a place
    ("timezone", "posixrules", "is not a known time zone"),
    ("hours_tue", "18:00-09:00", "must end after it starts"),
    ("hours_tue", "09:00-09:00", "must end after it starts"),
    ("hours_tue", "09:00-13:00, 12:00-18:00", "overlap"),
    ("hours_tue", "nine to five", "Write each range as 09:00-18:00"),
    ("hours_tue", "25:00-26:00", "Write each range as 09:00-18:00"),
    ("national_holidays", "xx", "Choose from the list"),
])
def test_bad_calendar_input_is_refused_beside_the_field(admin, client, field, value,
                                                        message):
    calendar = Calendar.get(Calendar.name == "default")
    before = _snapshot()
    form = {"action": "save", "timezone": "Asia/Tokyo", "national_holidays": "jp", **WEEK,
            "hours_wed": "08:30-17:30", field: value}
    response = client.submit(f"/admin/calendars/{calendar.id}", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in page and message in page
    assert 'value="08:30-17:30"' in page  # what was typed stays
    if field.startswith("hours"):
        assert f'value="{value}"' in page.replace("&#39;", "'")
    assert _snapshot() == before


def test_a_week_with_no_open_hours_and_a_taken_name_are_refused(admin, client):
    before = _snapshot()
    closed = client.submit("/admin/calendars", {"name": "shut", "timezone": "UTC"})
    assert closed.status_code == 400 and 'id="hours-error"' in closed.get_data(as_text=True)
    taken = client.submit("/admin/calendars", {"name": "default", "timezone": "UTC", **WEEK})
    page = taken.get_data(as_text=True)
    assert taken.status_code == 400 and 'id="name-error"' in page and "already exists" in page
    assert _snapshot() == before


def test_dated_and_yearly_holidays_added_and_removed(admin, client):
    calendar = Calendar.get(Calendar.name == "default")
    url = f"/admin/calendars/{calendar.id}"
    assert client.submit(url, {"action": "add_holiday", "day": "2027-02-02",
                               "holiday_name": "Offsite"}).status_code == 302
    assert client.submit(url, {"action": "add_holiday", "day": "2000-05-20",
                               "holiday_name": "Founding day", "yearly": "1"}
                         ).status_code == 302
    days = {(h.day.isoformat(), h.name, h.yearly) for h in calendar.holidays}
    assert ("2027-02-02", "Offsite", False) in days
    assert ("2000-05-20", "Founding day", True) in days
    page = client.get(url).get_data(as_text=True)
    assert "Offsite" in page and "Every year on May 20" in page
    row = _last_audit("holiday")
    assert row.actor_id == admin.id and row.detail["name"] == [None, "Founding day"]
    assert client.submit(url, {"action": "remove_holiday", "day": "2027-02-02"}
                         ).status_code == 302
    assert not calendar.holidays.where(CalendarHoliday.name == "Offsite").exists()
    gone = _last_audit("holiday_removed")
    assert gone.actor_id == admin.id and gone.detail["name"] == ["Offsite", None]


@pytest.mark.parametrize("day", ["2027-02-30", "tomorrow", ""])
def test_a_bad_holiday_date_is_refused_beside_the_field(admin, client, day):
    calendar = Calendar.get(Calendar.name == "default")
    before = _snapshot()
    response = client.submit(f"/admin/calendars/{calendar.id}", {
        "action": "add_holiday", "day": day, "holiday_name": "Kept name"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="day-error"' in page
    assert "is not a date" in page and 'value="Kept name"' in page
    assert _snapshot() == before


# --- SLA policies -------------------------------------------------------------------------

def test_the_table_shows_every_plan_and_priority_and_filters(admin, client):
    page = client.get("/admin/sla").get_data(as_text=True)
    for plan in ("basic", "advanced", "premium"):
        for level in (1, 2, 3, 4):
            assert f'id="p-{plan}-{level}"' in page
    only = client.get("/admin/sla?plan=premium").get_data(as_text=True)
    assert 'id="p-premium-1"' in only and 'id="p-basic-1"' not in only


def test_set_a_row_audits_from_what(admin, client):
    response = client.submit("/admin/sla", {
        "plan": "basic", "priority": "3", "first_response": "2h", "next_response": "",
        "resolution": "135h", "cover": "24x7", "filter": "basic"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/sla?plan=basic#p-basic-3"
    assert _minutes("basic", 3, "first_response").minutes == 120
    assert _minutes("basic", 3, "first_response").calendar_id is None
    assert not SlaPolicy.select().where((SlaPolicy.priority == 3)
                                        & (SlaPolicy.target == "next_response")
                                        & (SlaPolicy.plan == 1)).exists()
    row = _last_audit("sla")
    assert row.actor_id == admin.id
    assert row.detail["first_response"] == ["9h", "2h"]
    assert row.detail["next_response"] == ["18h", None]
    assert row.detail["calendar"] == ["default", "24x7"]
    assert "resolution" not in row.detail  # unchanged


@pytest.mark.parametrize("field, value, message", [
    ("first_response", "0m", "longer than zero"),
    ("first_response", "-5m", "is not a duration"),
    ("resolution", "soon", "is not a duration"),
    ("next_response", "4 hours", "is not a duration"),
    ("resolution", "", "is not a duration"),
    ("cover", "nowhere", "Choose a calendar"),
])
def test_bad_sla_input_is_refused_beside_the_field(admin, client, field, value, message):
    before = _snapshot()
    form = {"plan": "advanced", "priority": "2", "first_response": "90m",
            "next_response": "3h", "resolution": "30h", "cover": "default", field: value}
    response = client.submit("/admin/sla", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="advanced-2-{field}-error"' in page and message in page
    assert 'value="90m"' in page or field == "first_response"  # typed values stay
    assert _snapshot() == before


def test_an_unknown_plan_or_priority_changes_nothing(admin, client):
    before = _snapshot()
    for plan, priority in (("gold", "1"), ("basic", "5"), ("basic", "0")):
        response = client.submit("/admin/sla", {
            "plan": plan, "priority": priority, "first_response": "1h",
            "resolution": "2h", "cover": "24x7"})
        assert response.status_code == 400
    assert _snapshot() == before


# --- recomputing open tickets -------------------------------------------------------------

def test_a_change_through_the_page_recomputes_an_open_ticket(admin, client, people):
    # Monday 18 January 2027, 10:00 JST: a business day clear of holidays.
    clock.freeze(datetime(2027, 1, 18, 1, 0))
    try:
        ticket = factories.ticket(people["contact"], severity=2)  # acme is on advanced
        assert Ticket.get_by_id(ticket.id).first_response_due == datetime(2027, 1, 18, 3, 0)
        response = client.submit("/admin/sla", {
            "plan": "advanced", "priority": "2", "first_response": "30m",
            "next_response": "4h", "resolution": "36h", "cover": "24x7"})
        assert response.status_code == 302
        assert Ticket.get_by_id(ticket.id).first_response_due == datetime(2027, 1, 18, 1, 30)
        # Back on business hours, then Monday 18 January closed: due on Tuesday instead.
        client.submit("/admin/sla", {"plan": "advanced", "priority": "2",
                                     "first_response": "2h", "next_response": "4h",
                                     "resolution": "36h", "cover": "default"})
        calendar = Calendar.get(Calendar.name == "default")
        client.submit(f"/admin/calendars/{calendar.id}", {"action": "add_holiday",
                                                          "day": "2027-01-18"})
        # Tuesday 09:00 JST + 2 h = Tuesday 11:00 JST = 02:00 UTC.
        assert Ticket.get_by_id(ticket.id).first_response_due == datetime(2027, 1, 19, 2, 0)
        # A calendar's version is its updated_at: let the stopped clock move on a little.
        clock.freeze(datetime(2027, 1, 18, 1, 1))
        client.submit(f"/admin/calendars/{calendar.id}", {"action": "remove_holiday",
                                                          "day": "2027-01-18"})
        assert Ticket.get_by_id(ticket.id).first_response_due == datetime(2027, 1, 18, 3, 0)
    finally:
        clock.freeze(None)


# --- "when would it be due?" --------------------------------------------------------------

def test_due_helper_answers_like_the_command_line(admin, client):
    page = client.get("/admin/sla?due_plan=basic&due_priority=3&due_at=2026-12-28T17:30"
                      ).get_data(as_text=True)
    assert "2027-01-04T17:30:00+09:00" in page  # after the year-end closure
    assert "2027-01-25T17:30:00+09:00" in page
    premium = client.get("/admin/sla?due_plan=premium&due_priority=1"
                         "&due_at=2026-12-28T17:30:00%2B09:00").get_data(as_text=True)
    assert "2026-12-28T17:45:00+09:00" in premium


@pytest.mark.parametrize("query, field", [
    ("due_plan=basic&due_priority=3&due_at=yesterday", "due_at"),
    ("due_plan=gold&due_priority=3&due_at=2026-12-28T17:30", "due_plan"),
    ("due_plan=basic&due_priority=7&due_at=2026-12-28T17:30", "due_priority"),
])
def test_due_helper_refuses_bad_questions_beside_the_field(admin, client, query, field):
    response = client.get(f"/admin/sla?{query}")
    assert response.status_code == 200 and f'id="{field}-error"' in response.get_data(
        as_text=True)


def test_due_helper_changes_nothing(admin, client):
    before = _snapshot()
    client.get("/admin/sla?due_plan=basic&due_priority=3&due_at=2026-12-28T17:30")
    assert _snapshot() == before
