"""Bulk changes: the same rules as one change, each ticket all or nothing."""

import pytest

from portal.accounts.models import Audit
from portal.errors import ServiceError
from portal.staff import bulk
from portal.tickets.models import Message, Ticket


def _numbers(t, *names):
    return [str(t[n].number) for n in names]


def test_status_applies_to_the_allowed_and_reports_the_rest(desk):
    t, agent, _ = desk
    outcome = bulk.bulk_change(agent, _numbers(t, "new", "mine_answered", "closed", "solved")
                               + ["99999", "nonsense"], "status", "waiting_on_customer")
    assert sorted(outcome.changed) == [t["mine_answered"].number]
    refused = {r.number: r.message for r in outcome.refused}
    assert refused[str(t["closed"].number)] == "The ticket is closed."
    assert refused["99999"] == refused["nonsense"] == "There is no such ticket."
    # new → waiting and resolved → waiting are not allowed moves
    assert "cannot move" in refused[str(t["new"].number)]
    assert "cannot move" in refused[str(t["solved"].number)]
    assert Ticket.get_by_id(t["new"].id).status == "new"
    assert Ticket.get_by_id(t["mine_answered"].id).status == "waiting_on_customer"


def test_a_refused_ticket_keeps_no_trace(desk):
    t, agent, _ = desk
    before = Message.select().where(Message.ticket == t["closed"]).count()
    audits = Audit.select().count()
    outcome = bulk.bulk_change(agent, _numbers(t, "closed"), "priority", "1", "Customer VIP")
    assert outcome.changed == [] and len(outcome.refused) == 1
    assert Message.select().where(Message.ticket == t["closed"]).count() == before
    assert Audit.select().count() == audits


def test_assign_and_priority_write_events_like_single_changes(desk):
    t, agent, other = desk
    outcome = bulk.bulk_change(agent, _numbers(t, "new", "escalated"), "assign", other.email)
    assert len(outcome.changed) == 2
    assert Ticket.get_by_id(t["new"].id).assignee_id == other.id
    outcome = bulk.bulk_change(agent, _numbers(t, "new"), "priority", "1", "Outage")
    assert Ticket.get_by_id(t["new"].id).priority == 1
    assert Message.select().where((Message.ticket == t["new"]) & (Message.kind == "event")
                                  & Message.body.contains('"event": "priority"')).count() == 1


@pytest.mark.parametrize("action, value, reason, field", [
    ("delete", "", "", "action"),
    ("status", "gone", "", "value"),
    ("priority", "7", "why", "value"),
    ("priority", "1", " ", "reason"),
    ("assign", "alice@acme.example", "", "value"),
])
def test_a_wrong_action_refuses_the_whole_request(desk, action, value, reason, field):
    t, agent, _ = desk
    with pytest.raises(ServiceError) as err:
        bulk.bulk_change(agent, _numbers(t, "new"), action, value, reason)
    assert err.value.field == field


def test_customers_cannot_bulk_change(desk):
    t, _, _ = desk
    alice = t["new"].requester
    with pytest.raises(ServiceError):
        bulk.bulk_change(alice, _numbers(t, "new"), "status", "resolved")


def test_the_form_reports_refusals_with_reasons(agent_client, desk):
    t, _, _ = desk
    response = agent_client.submit("/staff/bulk", {
        "tickets": _numbers(t, "mine_answered", "closed"), "action": "status",
        "value": "resolved", "next": "/staff/?view=mine"})
    assert response.status_code == 302 and response.location.endswith("/staff/?view=mine")
    html = agent_client.get("/staff/?view=mine").get_data(as_text=True)
    assert "1 tickets changed, 1 refused." in html
    assert f"MDG-{t['closed'].number}" not in html or "The ticket is closed." in html
    assert f"{t['closed'].number}: The ticket is closed." in html


def test_the_form_never_redirects_off_site(agent_client, desk):
    t, _, _ = desk
    response = agent_client.submit("/staff/bulk", {
        "tickets": _numbers(t, "new"), "action": "assign", "value": "",
        "next": "//evil.example/"})
    assert response.location == "/staff/"
