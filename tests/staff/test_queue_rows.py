"""Queue rows kept per worker (portal/staff/rows.py): a row is served again only while
everything it shows is the same. Each test changes one thing a row shows and expects the
queue to show the change at once."""

import re
from datetime import timedelta

import pytest

from portal import clock
from portal.accounts import services as accounts
from portal.accounts.models import Organization, User
from portal.tickets import lifecycle
from portal.tickets.models import Ticket


def _row(client, subject: str, query: str = "") -> str:
    html = client.get("/staff/" + query).get_data(as_text=True)
    rows = [r for r in re.findall(r"<tr.*?</tr>", html, re.S) if f">{subject}</a>" in r]
    assert len(rows) == 1, f"{subject!r} shown {len(rows)} times"
    return rows[0]


@pytest.fixture
def kept(app):
    return app.extensions.setdefault("queue_rows", {})


def test_a_kept_row_is_the_row_rendered_afresh(agent_client, kept):
    agent_client.get("/kb/")  # the "Signed in" message shows once, there
    first = agent_client.get("/staff/?view=open").get_data(as_text=True)
    assert kept
    again = agent_client.get("/staff/?view=open").get_data(as_text=True)
    kept.clear()
    fresh = agent_client.get("/staff/?view=open").get_data(as_text=True)
    strip = re.compile(r'(name="csrf_token" value="|content=")[^"]+')
    assert strip.sub("", first) == strip.sub("", again) == strip.sub("", fresh)


def test_a_changed_subject_shows(agent_client, desk):
    t, _, _ = desk
    _row(agent_client, "Fresh and unassigned")
    Ticket.update(subject="Renamed in place").where(Ticket.id == t["new"].id).execute()
    assert "Renamed in place" in _row(agent_client, "Renamed in place")


def test_status_assignee_and_escalation_show(agent_client, desk):
    t, agent, _ = desk
    before = _row(agent_client, "Fresh and unassigned")
    assert "Staff User" not in before and 'class="escalated"' not in before
    lifecycle.assign(agent, t["new"], agent.email)
    lifecycle.change_status(agent, t["new"], "investigating")
    Ticket.update(escalated=True).where(Ticket.id == t["new"].id).execute()
    after = _row(agent_client, "Fresh and unassigned")
    assert "Staff User" in after and "status-investigating" in after
    assert 'class="escalated"' in after


def test_names_of_people_and_organizations_show(agent_client, desk):
    t, _, _ = desk
    _row(agent_client, "Fresh and unassigned")
    User.update(name="Alice Renamed").where(User.email == "alice@acme.example").execute()
    Organization.update(name="Acme Renamed").where(Organization.slug == "acme").execute()
    row = _row(agent_client, "Fresh and unassigned")
    assert "Alice Renamed" in row and "Acme Renamed" in row


def test_the_readers_language_and_zone_show(agent_client, desk):
    _, agent, _ = desk
    english = _row(agent_client, "Fresh and unassigned")
    accounts.update_preferences(User.get_by_id(agent.id), "ja", "America/New_York", True)
    japanese = _row(agent_client, "Fresh and unassigned")
    assert "New" in english and "新規" in japanese
    times = re.compile(r'datetime="([^"]+)"')
    assert times.findall(english)[0].endswith("+09:00")
    assert times.findall(japanese)[0][-6:] in ("-05:00", "-04:00")


def test_age_and_countdown_follow_the_clock(agent_client, desk):
    before = _row(agent_client, "Fresh and unassigned")
    clock.freeze(clock.now() + timedelta(days=3, hours=1))
    try:
        later = _row(agent_client, "Fresh and unassigned")
    finally:
        clock.freeze(None)
    assert later != before
    assert "3 days" in later and "3 days" not in before
    assert "sla-breached" in later and "sla-breached" not in before

