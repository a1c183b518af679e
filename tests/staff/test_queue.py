"""The staff queue: open tickets by default, filters, order, access."""

import pytest

from portal.tickets import lifecycle
from portal.tickets.models import Ticket
from tests import factories


@pytest.fixture
def queue_data(app):
    acme = factories.org("acme", plan="premium")
    beta = factories.org("beta", plan="basic")
    alice = factories.user("alice@acme.example", organization=acme)
    bob = factories.user("bob@beta.example", organization=beta)
    agent = factories.user("agent@support.example", role="agent")
    other = factories.user("other@support.example", role="agent")
    tickets = {
        "urgent": factories.ticket(alice, "Urgent outage", type_code="incident", severity=1,
                                   occurred_at="2026-01-01T00:00", incident_state="ongoing"),
        "billing": factories.ticket(bob, "Invoice question", type_code="billing", severity=4),
        "mine": factories.ticket(alice, "Assigned to me", severity=3),
        "done": factories.ticket(bob, "Already resolved", severity=2),
    }
    lifecycle.assign(agent, tickets["mine"], "agent@support.example")
    lifecycle.assign(agent, tickets["billing"], "other@support.example")
    lifecycle.change_status(agent, tickets["done"], "resolved")
    return tickets, agent, other


@pytest.fixture
def staff(app, queue_data, login):
    login("agent@support.example")


def _subjects(client, query="") -> list[str]:
    html = client.get("/staff/" + query).get_data(as_text=True)
    return [t.subject for t in Ticket.select() if t.subject in html]


def test_default_is_open_tickets_newest_activity_first(staff, client):
    html = client.get("/staff/").get_data(as_text=True)
    assert "Already resolved" not in html
    order = [html.index(s) for s in ("Assigned to me", "Invoice question", "Urgent outage")]
    assert order == sorted(order)


@pytest.mark.parametrize("query, expected", [
    ("?status=resolved", {"Already resolved"}),
    ("?status=all", {"Urgent outage", "Invoice question", "Assigned to me",
                     "Already resolved"}),
    ("?severity=1", {"Urgent outage"}),
    ("?assignee=unassigned", {"Urgent outage"}),
    ("?assignee=mine", {"Assigned to me"}),
    ("?assignee=other@support.example", {"Invoice question"}),
    ("?org=beta", {"Invoice question"}),
    ("?type=incident", {"Urgent outage"}),
    ("?q=invoice", {"Invoice question"}),
    ("?q=MDG-3", {"Assigned to me"}),
    ("?org=beta&status=all&severity=2", {"Already resolved"}),
])
def test_filters(staff, client, query, expected):
    assert set(_subjects(client, query)) == expected


def test_sort_by_severity(staff, client):
    html = client.get("/staff/?sort=severity").get_data(as_text=True)
    assert html.index("Urgent outage") < html.index("Assigned to me") < html.index(
        "Invoice question")


def test_odd_parameters_are_harmless(staff, client):
    for query in ("?severity=9", "?status=bogus", "?sort=drop", "?page=-3", "?page=abc",
                  "?assignee=nobody@x"):
        assert client.get("/staff/" + query).status_code == 200


def test_paginated(app, staff, client, queue_data):
    alice = Ticket.get(Ticket.subject == "Urgent outage").requester
    for i in range(55):
        factories.ticket(alice, f"Bulk {i:02d}")
    first = client.get("/staff/").get_data(as_text=True)
    assert "Bulk 54" in first and "Urgent outage" not in first
    assert "Urgent outage" in client.get("/staff/?page=2").get_data(as_text=True)


def test_customers_never_see_the_queue(app, queue_data, client, login):
    login("alice@acme.example")
    assert client.get("/staff/").status_code == 404
