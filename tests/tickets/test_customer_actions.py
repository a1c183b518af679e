"""What a customer does on a ticket: withdraw, follow up, preview; what they are shown."""

import pytest

from portal.tickets import lifecycle
from portal.tickets.lifecycle import Refused
from portal.tickets.models import Message, Ticket
from tests import factories


def test_the_requester_closes_an_unassigned_open_ticket_with_a_reason(people, client, login):
    ticket = factories.ticket(people["contact"])
    login("contact@acme.example")
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "/close" in page and "/solve" not in page  # nobody works on it yet
    empty = client.submit(f"/tickets/{ticket.number}/close", {"reason": " "})
    assert empty.status_code == 400 and Ticket.get_by_id(ticket.id).status == "new"
    done = client.submit(f"/tickets/{ticket.number}/close", {"reason": "No longer needed"})
    assert done.status_code == 302
    closed = Ticket.get_by_id(ticket.id)
    assert closed.status == "closed" and closed.closed_at is not None
    assert "No longer needed" in Message.select().where(
        Message.kind == "event").order_by(Message.id.desc()).get().body
    assert "withdrew the request: No longer needed" in client.get(
        f"/tickets/{ticket.number}").get_data(as_text=True)


@pytest.mark.parametrize("status", ["resolved", "closed"])
def test_a_resolved_or_closed_ticket_cannot_be_withdrawn(people, status):
    ticket = factories.ticket(people["contact"])
    Ticket.update(status=status).where(Ticket.id == ticket.id).execute()
    with pytest.raises(Refused):
        lifecycle.withdraw(people["contact"], ticket, "no")


def test_only_the_requester_withdraws(people, client, login):
    ticket = factories.ticket(people["contact"])
    for who in ("admin", "agent"):
        with pytest.raises(Refused):
            lifecycle.withdraw(people[who], ticket, "mine now")
    login("admin@acme.example")
    assert "/close" not in client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert client.submit(f"/tickets/{ticket.number}/close",
                         {"reason": "x"}).status_code == 409


def test_escalation_ends_when_resolved(people):
    ticket = factories.ticket(people["contact"])
    lifecycle.escalate(people["contact"], ticket, "Urgent for us")
    lifecycle.change_status(people["agent"], ticket, "resolved")
    assert Ticket.get_by_id(ticket.id).escalated is False


def test_a_member_who_may_not_file_sees_no_new_request_button(people, client, login):
    login("member@acme.example")
    page = client.get("/tickets/").get_data(as_text=True)
    assert 'href="/tickets/new"' not in page


def test_customer_sees_one_scale_and_why_priority_changed(people, client, login):
    ticket = factories.ticket(people["contact"], severity=3)
    lifecycle.change_priority(people["agent"], ticket, "1", "Outage at many customers")
    login("contact@acme.example")
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "Priority 1" not in page
    assert "handles this request as 1 · Urgent" in page
    assert "Outage at many customers" in page


def test_incident_state_is_in_the_header(people, client, login):
    ticket = factories.ticket(people["contact"], type_code="incident",
                              incident_state="intermittent")
    login("contact@acme.example")
    assert "Happens now and then" in client.get(
        f"/tickets/{ticket.number}").get_data(as_text=True)


def test_a_follow_up_copies_people_and_severity_and_shows_the_earlier_thread(
        people, client, login):
    old = factories.ticket(people["contact"], subject="Old problem", severity=2,
                           participants=["member@acme.example"],
                           description="The earlier words")
    Ticket.update(status="closed").where(Ticket.id == old.id).execute()
    login("contact@acme.example")
    client.submit("/language", {"locale": "ja", "next": "/"})
    form = client.get(f"/tickets/new?follow_up={old.number}").get_data(as_text=True)
    assert 'value="(続き) Old problem"' in form
    assert 'value="2" checked' in form
    assert 'value="member@acme.example" checked' in form
    assert "The earlier words" in form


def test_a_follow_up_subject_keeps_one_prefix():
    from portal.tickets.filing import follow_up_subject

    assert follow_up_subject("(続き) 障害", "en") == "Follow-up: 障害"
    assert follow_up_subject("Follow-up: Follow-up: x", "ja") == "(続き) Follow-up: x"


def test_a_member_who_may_not_file_sees_no_button_on_the_home_page(people, client, login):
    login("member@acme.example")
    assert 'href="/tickets/new"' not in client.get("/").get_data(as_text=True)
    login("contact@acme.example")
    assert 'href="/tickets/new"' in client.get("/").get_data(as_text=True)


def test_reply_preview_works_without_javascript(people, client, login):
    ticket = factories.ticket(people["contact"])
    login("contact@acme.example")
    page = client.submit(f"/tickets/{ticket.number}/messages",
                         {"body": "**bold** <script>x</script>", "preview": "1"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<strong>bold</strong>" in html
    assert "<script>x" not in html and "&lt;script&gt;" in html  # kept in the box, escaped
    assert Message.select().where(Message.kind == "reply").count() == 1  # nothing sent
