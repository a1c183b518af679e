"""The dashboard: stored counters, indexed figures, SVG charts with tables."""

from datetime import timedelta

from portal import clock, counters
from portal.kb.models import Article
from portal.staff import dashboard
from portal.tickets import lifecycle
from portal.tickets.models import Ticket
from tests import factories


def test_counters_follow_filing_and_solving(desk):
    today = [counters.local_day()]
    assert counters.series("created", today) == [7]
    assert counters.series("solved", today) == [2]  # "solved" and "closed" were resolved


def test_backlog_and_first_response(desk):
    t, agent, _ = desk
    by_status, by_severity = dashboard.backlog()
    assert by_status == {"new": 3, "investigating": 2, "waiting_on_customer": 0}
    assert by_severity == {1: 0, 2: 0, 3: 5, 4: 0}
    Ticket.update(created_at=clock.now() - timedelta(hours=2)).where(
        Ticket.id == t["mine_answered"].id).execute()
    week, month = dashboard.first_response(clock.now())
    assert week.count == month.count == 2  # two tickets had a public staff reply
    assert 119 <= week.p90 <= 121


def test_sla_attainment_reads_the_breach_flags(desk):
    t, _, _ = desk
    due = clock.now()
    Ticket.update(first_response_due=due).execute()
    Ticket.update(response_breached=True).where(Ticket.id == t["new"].id).execute()
    rows = {a.plan.code: a for a in dashboard.sla_attainment(clock.now())}
    assert rows["premium"].tickets == 3 and rows["premium"].response_met == 2
    assert rows["basic"].response_rate == 1.0


def test_links_in_staff_replies_are_counted(desk):
    t, agent, _ = desk
    factories.article("Reset your password", slug="reset-password")
    lifecycle.post_message(agent, t["new"], "See [this](/kb/reset-password) and "
                           "[again](https://help.example/kb/reset-password).")
    lifecycle.post_message(t["new"].requester, t["new"], "/kb/reset-password did not help")
    assert Article.get(Article.slug == "reset-password").links == 1


def test_suggestions_shown_are_counted_by_post(app, desk, client, login):
    login("alice@acme.example")
    assert client.submit("/kb/suggest/shown").status_code == 204
    assert client.get("/kb/suggest/shown").status_code == 405
    assert counters.series("suggestions_shown", [counters.local_day()]) == [1]


def test_page_draws_svg_with_tables(agent_client, desk):
    response = agent_client.get("/staff/dashboard")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count('<svg class="chart"') >= 5 and 'role="img"' in html
    assert html.count("<table") >= 5  # SLA has no targets here
    assert "<script>" not in html and " style=" not in html
    assert "Content-Security-Policy" in response.headers
