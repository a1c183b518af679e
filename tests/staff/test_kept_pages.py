"""The staff ticket page's content kept per worker (portal/tickets/kept.py): served again
only while nothing it shows changed, whoever changed it, and never to a customer."""

import re
import sqlite3
from datetime import timedelta

import pytest

from portal import clock
from tests.conftest import ON_POSTGRES, make_app

TOKEN = re.compile(r'(name="csrf_token" value="|content=")[^"]+')


@pytest.fixture
def kept(app):
    from portal.fragments import kept as kept_of

    return kept_of(app, "ticket_pages", 10)


def _page(client, number: int) -> str:
    response = client.get(f"/tickets/{number}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("no-store") or (
        "no-store" in response.headers["Cache-Control"])
    return response.get_data(as_text=True)


def _elsewhere(app, sql: str) -> None:
    """Run ``sql`` on a connection of its own, as another process or server would."""
    target = app.config["DATABASE"]
    if ON_POSTGRES:
        import psycopg

        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute(sql)
    else:
        conn = sqlite3.connect(target)
        with conn:
            conn.execute(sql)
        conn.close()


def test_kept_content_is_the_content_rendered_afresh(agent_client, desk, kept):
    t, _, _ = desk
    agent_client.get("/kb/")  # the "Signed in" message shows once, there
    first = _page(agent_client, t["others"].number)
    assert len(kept) == 1
    again = _page(agent_client, t["others"].number)
    kept.clear()
    fresh = _page(agent_client, t["others"].number)
    assert TOKEN.sub("", first) == TOKEN.sub("", again) == TOKEN.sub("", fresh)
    # Each page carries its own request's token, never a kept one.
    assert "\x00" not in again
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', again))
    assert len(tokens) == 1 and tokens == set(re.findall(r'content="([^"]+)"', again)[-1:])


def test_a_write_by_another_connection_shows_at_once(app, agent_client, desk, kept):
    t, _, _ = desk
    number = t["new"].number
    assert "Renamed elsewhere" not in _page(agent_client, number)
    assert len(kept) == 1
    _elsewhere(app, "UPDATE ticket SET subject = 'Renamed elsewhere'"
                    " WHERE subject = 'Fresh and unassigned'")
    assert "Renamed elsewhere" in _page(agent_client, number)
    _elsewhere(app, "UPDATE \"user\" SET name = 'Alice Elsewhere'"
                    " WHERE email = 'alice@acme.example'")
    assert "Alice Elsewhere" in _page(agent_client, number)


def test_replies_status_and_assignment_through_another_app_show(app, agent_client, desk,
                                                                   kept, tmp_path):
    t, _, _ = desk
    number = t["new"].number
    before = _page(agent_client, number)
    assert "Written on the other server" not in before
    assert '<option value="waiting_on_customer" selected>' not in before
    other_app = make_app(tmp_path, DATABASE=app.config["DATABASE"])
    other = other_app.test_client()
    from tests.factories import PASSWORD

    assert other.submit("/login", {"email": "other@support.example",
                                   "password": PASSWORD}).status_code == 302
    assert other.submit(f"/tickets/{number}/messages",
                        {"body": "Written on the other server"}).status_code in (200, 302, 303)
    page = _page(agent_client, number)
    assert "Written on the other server" in page
    assert other.submit(f"/tickets/{number}/status",
                        {"status": "waiting_on_customer"}).status_code in (200, 302, 303)
    assert '<option value="waiting_on_customer" selected>' in _page(agent_client, number)
    assert other.submit(f"/tickets/{number}/assign",
                        {"assignee": "other@support.example"}).status_code in (200, 302, 303)
    page = _page(agent_client, number)
    assigned = re.search(r'<option value="other@support.example" ([^>]*)>', page)
    assert assigned and "selected" in assigned.group(1)
    note = other.submit(f"/tickets/{number}/messages", {"body": "A note between us",
                                                        "internal": "1"})
    assert note.status_code in (200, 302, 303)
    assert "A note between us" in _page(agent_client, number)


def _signed_in(app, email: str):
    from tests.factories import PASSWORD

    client = app.test_client()
    assert client.submit("/login", {"email": email, "password": PASSWORD}).status_code == 302
    client.get("/kb/")
    return client


def test_a_customer_never_gets_kept_staff_content(app, agent_client, desk, kept):
    t, _, _ = desk
    number = t["others"].number
    bob = _signed_in(app, "bob@beta.example")  # signed in first: no write in between
    staff_page = _page(agent_client, number)
    assert "Internal only" in staff_page and "customer-panel" in staff_page
    assert len(kept) == 1
    customer_page = _page(bob, number)
    assert "Internal only" not in customer_page
    assert "customer-panel" not in customer_page and 'id="status-control"' not in customer_page
    assert len(kept) == 1


def test_the_service_level_countdown_follows_the_clock(agent_client, desk, kept):
    t, _, _ = desk
    number = t["new"].number
    before = _page(agent_client, number)
    clock.freeze(clock.now() + timedelta(days=3, hours=1))
    try:
        later = _page(agent_client, number)
    finally:
        clock.freeze(None)
    assert "sla-breached" in later and "sla-breached" not in before


def test_kept_content_is_the_readers_own(app, agent_client, desk, kept):
    t, _, _ = desk
    number = t["new"].number
    other = _signed_in(app, "other@support.example")  # signed in first: no write in between
    page = _page(agent_client, number)
    assert 'name="assignee" value="agent@support.example">' in page  # "Assign to me"
    page = _page(other, number)
    assert 'name="assignee" value="other@support.example">' in page
    assert 'name="assignee" value="agent@support.example">' not in page
    assert len(kept) == 2


@pytest.fixture
def kept_queues(app):
    from portal.fragments import kept as kept_of

    return kept_of(app, "queue_pages", 10)


def test_the_kept_queue_is_the_queue_rendered_afresh(agent_client, desk, kept_queues):
    agent_client.get("/kb/")
    first = agent_client.get("/staff/?view=open").get_data(as_text=True)
    assert len(kept_queues) == 1
    again = agent_client.get("/staff/?view=open").get_data(as_text=True)
    kept_queues.clear()
    fresh = agent_client.get("/staff/?view=open").get_data(as_text=True)
    assert TOKEN.sub("", first) == TOKEN.sub("", again) == TOKEN.sub("", fresh)
    assert "\x00" not in again


def test_the_queues_choices_and_rows_follow_writes_elsewhere(app, agent_client, desk,
                                                            kept_queues):
    page = agent_client.get("/staff/").get_data(as_text=True)
    assert "New Colleague" not in page and "Renamed in the queue" not in page
    flag = "TRUE" if ON_POSTGRES else "1"
    _elsewhere(app, "INSERT INTO \"user\" (email, name, password_hash, role, timezone,"
                    " active, session_token, created_at, notify_own) VALUES"
                    " ('new@support.example', 'New Colleague', 'x', 'agent', 'Asia/Tokyo',"
                    " FLAG, 'token', '2026-01-01 00:00:00', FLAG)".replace("FLAG", flag))
    _elsewhere(app, "UPDATE ticket SET subject = 'Renamed in the queue'"
                    " WHERE subject = 'Fresh and unassigned'")
    page = agent_client.get("/staff/").get_data(as_text=True)
    assert '<option value="new@support.example" >New Colleague</option>' in page
    assert "Renamed in the queue" in page


def test_the_queues_counts_are_the_readers_own(app, agent_client, desk, kept_queues):
    other = _signed_in(app, "other@support.example")
    mine = re.compile(r'data-view="mine">\s*Mine <span class="count">(\d+)</span>')
    assert mine.search(agent_client.get("/staff/").get_data(as_text=True)).group(1) == "2"
    assert mine.search(other.get("/staff/").get_data(as_text=True)).group(1) == "1"
    assert len(kept_queues) == 1
