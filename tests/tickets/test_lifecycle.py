"""Every transition of the life cycle, allowed and refused, through the services."""

from datetime import datetime, timedelta

import pytest

from portal import clock
from portal.accounts.models import Audit
from portal.errors import ServiceError
from portal.tickets import lifecycle
from portal.tickets.lifecycle import TRANSITIONS, Refused
from portal.tickets.models import STATUSES, Message, Ticket
from tests import factories


@pytest.fixture
def ticket(people):
    return factories.ticket(people["contact"])


def _at(ticket, status: str) -> Ticket:
    Ticket.update(status=status).where(Ticket.id == ticket.id).execute()
    return Ticket.get_by_id(ticket.id)


DIAGRAM = {("new", "investigating"), ("new", "resolved"),
           ("investigating", "waiting_on_customer"), ("investigating", "resolved"),
           ("waiting_on_customer", "investigating"), ("waiting_on_customer", "resolved"),
           ("resolved", "investigating"), ("resolved", "closed")}


def test_the_table_is_the_diagram():
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == DIAGRAM


@pytest.mark.parametrize("old, new", [(a, b) for a in STATUSES for b in STATUSES if a != b])
def test_staff_status_changes(people, ticket, old, new):
    ticket = _at(ticket, old)
    if (old, new) in DIAGRAM:
        lifecycle.change_status(people["agent"], ticket, new)
        assert Ticket.get_by_id(ticket.id).status == new
        event = Message.select().where(Message.kind == "event").order_by(Message.id.desc()).get()
        assert f'"new": "{new}"' in event.body
        assert Audit.select().where((Audit.action == "status")
                                    & (Audit.object_id == ticket.id)).count() == 1
    else:
        with pytest.raises(Refused):
            lifecycle.change_status(people["agent"], ticket, new)
        assert Ticket.get_by_id(ticket.id).status == old


def test_unknown_status_is_refused(people, ticket):
    with pytest.raises(Refused):
        lifecycle.change_status(people["agent"], ticket, "deleted")


def test_customers_cannot_change_the_status(people, ticket):
    with pytest.raises(Refused):
        lifecycle.change_status(people["contact"], ticket, "investigating")
    with pytest.raises(Refused):
        lifecycle.post_message(people["contact"], ticket, "done", status="resolved")


def test_staff_reply_starts_work_and_records_first_response(people, ticket):
    lifecycle.post_message(people["agent"], ticket, "Looking into it.")
    fresh = Ticket.get_by_id(ticket.id)
    assert fresh.status == "investigating" and fresh.first_response_at is not None


def test_staff_reply_can_ask_the_customer(people, ticket):
    lifecycle.post_message(people["agent"], ticket, "Which browser?",
                           status="waiting_on_customer")
    assert Ticket.get_by_id(ticket.id).status == "waiting_on_customer"


def test_customer_reply_resumes_a_waiting_ticket(people, ticket):
    ticket = _at(ticket, "waiting_on_customer")
    lifecycle.post_message(people["contact"], ticket, "Chrome 120.")
    assert Ticket.get_by_id(ticket.id).status == "investigating"


def test_customer_reply_reopens_a_resolved_ticket(people, ticket):
    ticket = _at(ticket, "resolved")
    lifecycle.post_message(people["contact"], ticket, "It is back.")
    assert Ticket.get_by_id(ticket.id).status == "investigating"
    assert '"reopened": true' in Message.select().order_by(Message.id.desc()).get().body


def test_customer_reply_to_a_new_ticket_keeps_it_new(people, ticket):
    lifecycle.post_message(people["contact"], ticket, "More details.")
    assert Ticket.get_by_id(ticket.id).status == "new"


@pytest.mark.parametrize("who", ["contact", "agent"])
def test_nobody_replies_to_a_closed_ticket(people, ticket, who):
    ticket = _at(ticket, "closed")
    with pytest.raises(Refused):
        lifecycle.post_message(people[who], ticket, "Hello?")
    assert Message.select().where(Message.ticket == ticket).count() == 1


def test_closed_is_final(people, ticket):
    ticket = _at(ticket, "closed")
    for target in STATUSES:
        if target != "closed":
            with pytest.raises(Refused):
                lifecycle.change_status(people["agent"], ticket, target)


def test_empty_reply_is_refused(people, ticket):
    with pytest.raises(ServiceError):
        lifecycle.post_message(people["contact"], ticket, "  \n ")


def test_internal_notes_are_staff_only_and_change_nothing(people, ticket):
    with pytest.raises(Refused):
        lifecycle.post_message(people["contact"], ticket, "psst", internal=True)
    note = lifecycle.post_message(people["agent"], ticket, "Customer is on v2", internal=True)
    assert note.kind == "note" and Ticket.get_by_id(ticket.id).status == "new"


def test_solve_needs_an_assignee_and_an_open_ticket(people, ticket):
    with pytest.raises(Refused):
        lifecycle.solve(people["contact"], ticket)
    lifecycle.assign(people["agent"], ticket, "agent@support.example")
    lifecycle.solve(people["contact"], Ticket.get_by_id(ticket.id))
    assert Ticket.get_by_id(ticket.id).status == "resolved"
    with pytest.raises(Refused):
        lifecycle.solve(people["contact"], Ticket.get_by_id(ticket.id))


def test_staff_use_the_status_control_not_solve(people, ticket):
    with pytest.raises(Refused):
        lifecycle.solve(people["agent"], ticket)


def test_escalate_once_with_a_reason(people, ticket):
    with pytest.raises(ServiceError):
        lifecycle.escalate(people["contact"], ticket, "  ")
    lifecycle.escalate(people["contact"], ticket, "Production is down for 200 users")
    fresh = Ticket.get_by_id(ticket.id)
    assert fresh.escalated and fresh.escalation_reason == "Production is down for 200 users"
    with pytest.raises(Refused):
        lifecycle.escalate(people["admin"], fresh, "Again")
    assert Audit.select().where(Audit.action == "escalate").count() == 1


def test_a_resolved_ticket_cannot_be_escalated(people, ticket):
    with pytest.raises(Refused):
        lifecycle.escalate(people["contact"], _at(ticket, "resolved"), "why")


def test_priority_needs_a_reason_and_is_audited(people, ticket):
    with pytest.raises(ServiceError):
        lifecycle.change_priority(people["agent"], ticket, "1", "")
    with pytest.raises(ServiceError):
        lifecycle.change_priority(people["agent"], ticket, "9", "because")
    lifecycle.change_priority(people["agent"], ticket, "1", "Whole region affected")
    assert Ticket.get_by_id(ticket.id).priority == 1
    audit = Audit.get(Audit.action == "priority")
    assert audit.detail == {"old": 3, "new": 1, "reason": "Whole region affected"}
    with pytest.raises(Refused):
        lifecycle.change_priority(people["contact"], ticket, "1", "me first")


def test_assign_only_to_active_agents(people, ticket):
    with pytest.raises(ServiceError):
        lifecycle.assign(people["agent"], ticket, "contact@acme.example")
    lifecycle.assign(people["agent"], ticket, "AGENT@support.example")
    assert Ticket.get_by_id(ticket.id).assignee.email == "agent@support.example"
    lifecycle.assign(people["agent"], Ticket.get_by_id(ticket.id), "")
    assert Ticket.get_by_id(ticket.id).assignee is None
    assert Audit.select().where(Audit.action == "assign").count() == 2


class TestTick:
    """Waiting on the customer for 5 days resolves; resolved for 7 days closes."""

    @pytest.fixture(autouse=True)
    def frozen(self):
        clock.freeze(datetime(2026, 3, 2, 9, 0))
        yield
        clock.freeze(None)

    def _later(self, **delta):
        clock.freeze(clock.now() + timedelta(**delta))

    def test_waiting_resolves_after_five_days_then_closes_after_seven(self, people, ticket):
        lifecycle.post_message(people["agent"], ticket, "Logs?", status="waiting_on_customer")
        self._later(days=4, hours=23)
        assert lifecycle.tick() == (0, 0)
        self._later(hours=2)
        assert lifecycle.tick() == (1, 0)
        assert Ticket.get_by_id(ticket.id).status == "resolved"
        assert lifecycle.tick() == (0, 0)  # running again changes nothing
        self._later(days=6, hours=23)
        assert lifecycle.tick() == (0, 0)
        self._later(hours=2)
        assert lifecycle.tick() == (0, 1)
        closed = Ticket.get_by_id(ticket.id)
        assert closed.status == "closed" and closed.closed_at == clock.now()
        lines = [m.body for m in Message.select().where(Message.kind == "event")]
        assert any('"automatic": "auto_resolved"' in line for line in lines)
        assert any('"automatic": "auto_closed"' in line for line in lines)

    def test_a_customer_reply_restarts_the_clock(self, people, ticket):
        lifecycle.post_message(people["agent"], ticket, "Logs?", status="waiting_on_customer")
        self._later(days=4)
        lifecycle.post_message(people["contact"], Ticket.get_by_id(ticket.id), "Here.")
        lifecycle.change_status(people["agent"], Ticket.get_by_id(ticket.id),
                                "waiting_on_customer")
        self._later(days=3)
        assert lifecycle.tick() == (0, 0)

    def test_days_are_configurable(self, app, people, ticket):
        app.config["AUTO_RESOLVE_DAYS"] = 1
        lifecycle.post_message(people["agent"], ticket, "Logs?", status="waiting_on_customer")
        self._later(days=1, minutes=1)
        assert lifecycle.tick() == (1, 0)

    def test_portal_tick_command(self, people, ticket, runner):
        lifecycle.post_message(people["agent"], ticket, "Logs?", status="waiting_on_customer")
        self._later(days=6)
        result = runner.invoke(args=["tick"])
        assert result.exit_code == 0 and "resolved 1, closed 0" in result.output
