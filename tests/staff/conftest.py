"""A small support desk: two organizations, two agents, tickets in every queue view."""

import pytest

from portal.tickets import lifecycle
from tests import factories


@pytest.fixture
def desk(app):
    acme = factories.org("acme", plan="premium")
    beta = factories.org("beta", plan="basic", trial=True)
    alice = factories.user("alice@acme.example", organization=acme, locale="en")
    bob = factories.user("bob@beta.example", organization=beta, locale="ja")
    agent = factories.user("agent@support.example", role="agent")
    other = factories.user("other@support.example", role="agent")
    t = {
        "new": factories.ticket(alice, "Fresh and unassigned"),
        "mine_answered": factories.ticket(alice, "Mine, we answered"),
        "mine_waiting": factories.ticket(bob, "Mine, customer wrote"),
        "others": factories.ticket(bob, "Someone else has it"),
        "escalated": factories.ticket(alice, "Escalated by Alice"),
        "solved": factories.ticket(bob, "Solved already"),
        "closed": factories.ticket(bob, "Closed long ago"),
    }
    lifecycle.assign(agent, t["mine_answered"], agent.email)
    lifecycle.post_message(agent, t["mine_answered"], "We are on it.")
    lifecycle.assign(agent, t["mine_waiting"], agent.email)
    lifecycle.post_message(agent, t["mine_waiting"], "Please send logs.",
                           status="waiting_on_customer")
    lifecycle.post_message(bob, t["mine_waiting"], "Here they are.")
    lifecycle.assign(agent, t["others"], other.email)
    lifecycle.post_message(other, t["others"], "Internal only", internal=True)
    lifecycle.escalate(alice, t["escalated"], "Production is down")
    lifecycle.change_status(agent, t["solved"], "resolved")
    lifecycle.change_status(agent, t["closed"], "resolved")
    lifecycle.change_status(agent, t["closed"], "closed")
    return t, agent, other


@pytest.fixture
def agent_client(app, desk, client, login):
    login("agent@support.example")
    return client
