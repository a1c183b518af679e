"""Collision notice: who else is on a ticket, and a reply that came in while writing."""

from datetime import timedelta

import pytest

from portal import clock
from portal.staff import presence
from portal.tickets import lifecycle
from portal.tickets.models import Message

HTMX = {"HX-Request": "true"}


@pytest.fixture
def frozen():
    clock.freeze(clock.now())
    yield
    clock.freeze(None)


def test_each_agent_sees_the_other(desk, frozen):
    t, agent, other = desk
    assert presence.heartbeat(agent, t["new"], replying=False) == []
    seen = presence.heartbeat(other, t["new"], replying=True)
    assert [(o.name, o.replying) for o in seen] == [("Staff User", False)]
    seen = presence.heartbeat(agent, t["new"], replying=False)
    assert [(o.name, o.replying) for o in seen] == [("Staff User", True)]


def test_a_silent_agent_is_forgotten_after_ten_seconds(desk, frozen):
    t, agent, other = desk
    presence.heartbeat(other, t["new"], replying=False)
    clock.freeze(clock.now() + timedelta(seconds=11))
    assert presence.heartbeat(agent, t["new"], replying=False) == []


def test_heartbeat_route_words_the_notice(app, desk, client, login):
    t, agent, other = desk
    presence.heartbeat(other, t["new"], replying=True)
    login("agent@support.example")
    html = client.submit(f"/staff/presence/{t['new'].number}", {"body": ""},
                         headers=HTMX).get_data(as_text=True)
    assert "Staff User is replying" in html
    presence.heartbeat(other, t["new"], replying=False)
    html = client.submit(f"/staff/presence/{t['new'].number}", {"body": "draft"},
                         headers=HTMX).get_data(as_text=True)
    assert "Staff User is viewing" in html


def test_heartbeat_is_staff_only(app, desk, client, login):
    t, _, _ = desk
    login("alice@acme.example")
    assert client.submit(f"/staff/presence/{t['new'].number}").status_code == 404


def test_reply_waits_when_a_public_message_arrived_meanwhile(agent_client, desk):
    t, agent, _ = desk
    ticket = t["new"]
    shown = Message.select().where(Message.ticket == ticket).order_by(Message.id.desc()).get()
    lifecycle.post_message(ticket.requester, ticket, "One more thing!")
    response = agent_client.submit(f"/tickets/{ticket.number}/messages",
                                   {"body": "My answer", "after": str(shown.id)}, headers=HTMX)
    assert response.status_code == 422
    assert "A new reply arrived while you were writing" in response.get_data(as_text=True)
    assert not Message.select().where(Message.body == "My answer").exists()
    latest = Message.select().where(Message.ticket == ticket).order_by(Message.id.desc()).get()
    response = agent_client.submit(f"/tickets/{ticket.number}/messages",
                                   {"body": "My answer", "after": str(latest.id)}, headers=HTMX)
    assert response.status_code == 200
    assert Message.select().where(Message.body == "My answer").exists()


def test_own_notes_do_not_hold_a_reply(agent_client, desk):
    t, agent, _ = desk
    ticket = t["new"]
    shown = Message.select().where(Message.ticket == ticket).order_by(Message.id.desc()).get()
    lifecycle.post_message(agent, ticket, "note", internal=True)
    response = agent_client.submit(f"/tickets/{ticket.number}/messages",
                                   {"body": "Go", "after": str(shown.id)}, headers=HTMX)
    assert response.status_code == 200
