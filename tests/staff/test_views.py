"""Queue views: who is in each, their counts, saved views, and the live refresh."""

import pytest

from portal.staff import queue
from portal.staff.models import SavedView
from portal.tickets.models import Ticket
from tests import factories
from tests.conftest import ON_POSTGRES

MEMBERS = {
    "mine": {"Mine, we answered", "Mine, customer wrote"},
    "unassigned": {"Fresh and unassigned", "Escalated by Alice"},
    # The last public word is the customer's: an internal note does not count.
    "waiting": {"Fresh and unassigned", "Mine, customer wrote", "Someone else has it",
                "Escalated by Alice"},
    "escalated": {"Escalated by Alice"},
    "open": {"Fresh and unassigned", "Mine, we answered", "Mine, customer wrote",
             "Someone else has it", "Escalated by Alice"},
    "solved": {"Solved already"},
}


def _shown(client, query: str) -> set[str]:
    html = client.get("/staff/" + query).get_data(as_text=True)
    return {t.subject for t in Ticket.select() if f">{t.subject}</a>" in html}


@pytest.mark.parametrize("view", sorted(MEMBERS))
def test_each_view_shows_its_tickets(agent_client, view):
    assert _shown(agent_client, f"?view={view}") == MEMBERS[view]


@pytest.mark.parametrize("view", sorted(MEMBERS))
def test_each_count_matches_the_view(desk, view):
    _, agent, _ = desk
    assert queue.counts(agent)[view] == len(MEMBERS[view])


def test_counts_stop_at_the_cap(desk):
    _, agent, _ = desk
    assert queue.count(queue.VIEWS["open"].condition(agent), cap=3) == 3


def test_mine_is_per_agent(desk):
    _, _, other = desk
    assert queue.counts(other)["mine"] == 1


def test_view_combines_with_filters(agent_client):
    assert _shown(agent_client, "?view=waiting&org=beta") == {"Mine, customer wrote",
                                                               "Someone else has it"}


def test_escalation_leaves_the_view_when_resolved(agent_client, desk):
    from portal.tickets import lifecycle

    t, agent, _ = desk
    lifecycle.change_status(agent, t["escalated"], "resolved")
    assert _shown(agent_client, "?view=escalated") == set()
    assert not Ticket.get_by_id(t["escalated"].id).escalated


def test_page_shows_counts_and_columns(agent_client):
    html = agent_client.get("/staff/?view=open").get_data(as_text=True)
    assert 'data-view="escalated"' in html and 'data-view="at_risk"' in html
    assert '<span class="count">1</span>' in html
    assert "Premium" in html and "Trial" in html  # plan and trial badges
    assert 'class="spoke customer"' in html and 'class="spoke staff"' in html


def test_refresh_returns_rows_and_counts_keeping_ticks(agent_client):
    html = agent_client.get("/staff/?view=mine", headers={"HX-Request": "true"}).get_data(
        as_text=True)
    assert "<html" not in html and "<tr" in html
    assert 'id="queue-views" class="queue-views" aria-label="Views" hx-swap-oob="true"' in html
    assert 'name="tickets"' in html and "hx-preserve" in html
    assert "Someone else has it" not in html


def test_queue_polls_with_its_own_filters(agent_client):
    html = agent_client.get("/staff/?view=mine&severity=3").get_data(as_text=True)
    assert 'hx-get="/staff/?view=mine&amp;severity=3" hx-trigger="every 5s"' in html


def test_save_and_delete_a_view(agent_client, desk):
    response = agent_client.submit("/staff/views", {"name": "Beta waiting", "view": "waiting",
                                                    "org": "beta", "bogus": "x"})
    assert response.status_code == 302 and "org=beta" in response.location
    saved = SavedView.get()
    assert saved.filters == {"view": "waiting", "org": "beta"}
    html = agent_client.get("/staff/").get_data(as_text=True)
    assert "Beta waiting" in html
    assert agent_client.submit(f"/staff/views/{saved.id}/delete").status_code == 302
    assert SavedView.select().count() == 0


def test_a_view_needs_a_name(agent_client):
    agent_client.submit("/staff/views", {"name": "  ", "org": "beta"})
    assert SavedView.select().count() == 0
    assert "Give the view a name." in agent_client.get("/staff/").get_data(as_text=True)


def test_another_agents_view_cannot_be_deleted(app, desk, client, login):
    _, agent, other = desk
    theirs = SavedView.create(user=other.id, name="Theirs", filters={"org": "acme"})
    login("agent@support.example")
    assert client.submit(f"/staff/views/{theirs.id}/delete").status_code == 404
    assert SavedView.get_or_none(SavedView.id == theirs.id) is not None
    assert "Theirs" not in client.get("/staff/").get_data(as_text=True)


def test_customers_get_nothing(app, desk, client, login):
    login("alice@acme.example")
    for url in ("/staff/?view=mine", "/staff/export.csv", "/staff/dashboard",
                "/staff/replies"):
        assert client.get(url).status_code == 404
    assert client.submit("/staff/views", {"name": "x"}).status_code == 404
    assert client.submit("/staff/bulk", {"tickets": "1", "action": "status",
                                         "value": "resolved"}).status_code == 404


def test_new_ticket_reaches_an_open_queue_refresh(agent_client, desk):
    t, _, _ = desk
    factories.ticket(t["new"].requester, "Just arrived")
    html = agent_client.get("/staff/?view=unassigned",
                            headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Just arrived" in html


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's statistics (PostgreSQL keeps its own)")
def test_escalations_are_counted_on_their_index_when_there_are_none(desk):
    """When no open ticket is escalated, ANALYZE alone told SQLite the flag's index held
    every open ticket per value, and it counted by reading them all (50 ms at 200,000)."""
    from portal.db import db, refresh_statistics

    t, agent, _ = desk
    columns = ("organization_id, requester_id, created_by_id, type_id, severity, priority,"
               " status, subject, created_at, updated_at, last_activity_at, status_changed_at")
    db.execute_sql(  # 3,000 more open tickets: enough for the planner to choose
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)"  # noqa: S608
        f" INSERT INTO ticket (number, {columns}) SELECT 900000 + i, {columns}"
        " FROM ticket, n WHERE ticket.id = ?", (t["new"].id,))
    Ticket.update(escalated=False).execute()
    refresh_statistics()
    sql, params = queue._all_counts(agent.id, queue.clock.now()).sql()
    plan = [row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()]
    count = plan.index(f"CO-ROUTINE c{list(queue.VIEWS).index('escalated')}")
    assert plan[count + 1].startswith("SEARCH t1 USING INDEX ticket_open_escalated"), plan
