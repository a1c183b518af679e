"""The staff ticket page: triage controls, acknowledging, the customer panel."""

import pytest

from portal.accounts.models import Audit
from portal.errors import ServiceError
from portal.tickets import lifecycle, triage
from portal.tickets.models import Message, Participant, Ticket
from tests import factories


def _events(ticket) -> list[str]:
    return [m.body for m in Message.select().where((Message.ticket == ticket)
                                                   & (Message.kind == "event"))]


def test_acknowledge_clears_the_flag_with_a_line(agent_client, desk):
    t, _, _ = desk
    number = t["escalated"].number
    html = agent_client.get(f"/tickets/{number}").get_data(as_text=True)
    assert "Acknowledge the escalation" in html
    assert agent_client.submit(f"/tickets/{number}/acknowledge").status_code == 302
    assert not Ticket.get_by_id(t["escalated"].id).escalated
    html = agent_client.get(f"/tickets/{number}").get_data(as_text=True)
    assert "Staff User acknowledged the escalation." in html
    assert "Acknowledge the escalation" not in html
    assert Audit.select().where(Audit.action == "acknowledge").count() == 1


def test_acknowledging_twice_is_refused(desk):
    t, agent, _ = desk
    triage.acknowledge(agent, t["escalated"])
    with pytest.raises(ServiceError, match="not escalated"):
        triage.acknowledge(agent, t["escalated"])


def test_customers_cannot_acknowledge_or_triage(app, desk, client, login):
    t, _, _ = desk
    login("alice@acme.example")
    number = t["escalated"].number
    for path, data in (("acknowledge", {}), ("type", {"type": "incident"}),
                       ("severity", {"severity": "1", "reason": "x"}),
                       ("participants", {"participants": "alice@acme.example"})):
        assert client.submit(f"/tickets/{number}/{path}", data).status_code == 409
    assert Ticket.get_by_id(t["escalated"].id).escalated
    # and a ticket of another organization does not exist for her
    assert client.submit(f"/tickets/{t['others'].number}/type",
                         {"type": "incident"}).status_code == 404


def test_change_type_and_severity_with_reason(agent_client, desk):
    t, _, _ = desk
    number = t["new"].number
    agent_client.submit(f"/tickets/{number}/type", {"type": "incident"})
    assert Ticket.get_by_id(t["new"].id).type.code == "incident"
    response = agent_client.submit(f"/tickets/{number}/severity", {"severity": "1",
                                                                   "reason": ""})
    assert response.status_code == 400
    assert "Please give a reason for the new severity." in response.get_data(as_text=True)
    agent_client.submit(f"/tickets/{number}/severity", {"severity": "1", "reason": "Outage"})
    assert Ticket.get_by_id(t["new"].id).severity == 1
    html = agent_client.get(f"/tickets/{number}").get_data(as_text=True)
    assert "changed the severity from 3 to 1: Outage" in html
    assert "changed the type from Question" in html or "changed the type from" in html


def test_participants_only_from_the_organization(agent_client, desk):
    t, _, _ = desk
    alice = t["new"].requester
    colleague = factories.user("carol@acme.example", organization=alice.organization)
    number = t["new"].number
    response = agent_client.submit(f"/tickets/{number}/participants",
                                   {"participants": ["carol@acme.example", "bob@beta.example"]})
    assert response.status_code == 400
    assert "bob@beta.example is not an active member" in response.get_data(as_text=True)
    assert Participant.select().where(Participant.ticket == t["new"]).count() == 0
    agent_client.submit(f"/tickets/{number}/participants",
                        {"participants": ["Carol@acme.example"]})
    assert [p.user_id for p in Participant.select().where(
        Participant.ticket == t["new"])] == [colleague.id]
    agent_client.submit(f"/tickets/{number}/participants", {"participants": ""})
    assert Participant.select().where(Participant.ticket == t["new"]).count() == 0


def test_status_control_preselects_the_current_status(agent_client, desk):
    t, _, _ = desk
    html = agent_client.get(f"/tickets/{t['mine_answered'].number}").get_data(as_text=True)
    assert '<option value="investigating" selected>Investigating (current)</option>' in html
    # sending it unchanged changes nothing
    before = len(_events(t["mine_answered"]))
    agent_client.submit(f"/tickets/{t['mine_answered'].number}/status",
                        {"status": "investigating"})
    assert len(_events(t["mine_answered"])) == before


def test_assign_to_me_reads_naturally(agent_client, desk):
    t, _, _ = desk
    html = agent_client.get(f"/tickets/{t['new'].number}").get_data(as_text=True)
    assert "Assign to me" in html
    agent_client.submit(f"/tickets/{t['new'].number}/assign",
                        {"assignee": "agent@support.example"})
    html = agent_client.get(f"/tickets/{t['new'].number}").get_data(as_text=True)
    assert "Staff User took the ticket." in html and "Assign to me" not in html


def test_closing_clears_the_escalation(desk):
    t, agent, _ = desk
    lifecycle.change_status(agent, t["escalated"], "resolved")
    lifecycle.change_status(agent, t["escalated"], "closed")
    assert not Ticket.get_by_id(t["escalated"].id).escalated


def test_customer_panel(agent_client, desk):
    t, _, _ = desk
    html = agent_client.get(f"/tickets/{t['new'].number}").get_data(as_text=True)
    assert 'class="customer-panel"' in html
    assert "alice@acme.example" in html and "Premium" in html
    assert "Replying to an English speaker" in html
    panel = html.split('class="customer-panel"')[1]
    assert "Mine, we answered" in panel and "Escalated by Alice" in panel
    assert "Fresh and unassigned" not in panel  # not the ticket itself
    html = agent_client.get(f"/tickets/{t['mine_waiting'].number}").get_data(as_text=True)
    assert "Replying to a Japanese speaker" in html and "Trial" in html
    panel = html.split('class="customer-panel"')[1]
    assert "Solved already" in panel  # bob's recent solved ticket


def test_customers_see_no_panel(app, desk, client, login):
    t, _, _ = desk
    login("alice@acme.example")
    html = client.get(f"/tickets/{t['new'].number}").get_data(as_text=True)
    assert "customer-panel" not in html and "Replying to" not in html
