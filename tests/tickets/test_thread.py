"""The thread page, its fragments and actions, from customers' and staff's side."""

import io
import re

import pytest

from portal.tickets import lifecycle
from portal.tickets.models import Message, Ticket
from tests import factories

HTMX = {"HX-Request": "true"}


@pytest.fixture
def ticket(people):
    return factories.ticket(people["contact"], subject="Reports are slow")


@pytest.fixture
def with_note(people, ticket):
    """An internal note with an attachment, then a public reply."""
    from portal.tickets.uploads import Upload

    lifecycle.post_message(people["agent"], ticket, "SECRET-NOTE customer is on v1",
                           [Upload("internal.txt", io.BytesIO(b"internal"))], internal=True)
    lifecycle.post_message(people["agent"], ticket, "Public answer")
    return Message.get(Message.kind == "note")


def _as(app, email):
    client = app.test_client()
    client.submit("/login", {"email": email, "password": factories.PASSWORD})
    return client


def test_notes_are_invisible_to_customers_everywhere(app, people, ticket, with_note):
    note_file = with_note.attachments[0].id
    for email in ("contact@acme.example", "admin@acme.example"):
        customer = _as(app, email)
        page = customer.get("/tickets/1").get_data(as_text=True)
        assert "Public answer" in page and "SECRET-NOTE" not in page
        assert "internal.txt" not in page
        poll = customer.get("/tickets/1/messages?after=0", headers=HTMX).get_data(as_text=True)
        assert "Public answer" in poll and "SECRET-NOTE" not in poll
        assert customer.get(f"/tickets/1/attachments/{note_file}").status_code == 404
        listing = customer.get("/tickets/").get_data(as_text=True)
        assert "SECRET-NOTE" not in listing
    staff = _as(app, "agent@support.example").get("/tickets/1").get_data(as_text=True)
    assert "SECRET-NOTE" in staff and "internal.txt" in staff


def test_a_reply_with_htmx_comes_back_as_updates(app, people, ticket):
    customer = _as(app, "contact@acme.example")
    html = customer.submit("/tickets/1/messages", {"body": "More **details**", "after": "1"},
                           headers=HTMX).get_data(as_text=True)
    assert 'hx-swap-oob="beforeend:#thread"' in html
    assert "<strong>details</strong>" in html and 'id="poller"' in html
    last = Message.select().order_by(Message.id.desc()).get().id
    assert f'id="after" name="after" value="{last}"' in html


def test_a_reply_without_javascript_redirects_to_it(app, people, ticket):
    customer = _as(app, "contact@acme.example")
    response = customer.submit("/tickets/1/messages", {"body": "Plain post"})
    message = Message.select().order_by(Message.id.desc()).get()
    assert response.headers["Location"] == f"/tickets/1#m{message.id}"


def test_a_reply_on_a_stale_page_is_stored_and_shows_what_was_missed(app, people, ticket):
    customer = _as(app, "contact@acme.example")
    lifecycle.post_message(people["agent"], ticket, "Agent wrote meanwhile")
    html = customer.submit("/tickets/1/messages", {"body": "Customer reply", "after": "1"},
                           headers=HTMX).get_data(as_text=True)
    assert "Agent wrote meanwhile" in html and "Customer reply" in html
    assert html.index("Agent wrote meanwhile") < html.index("Customer reply")
    assert Message.select().where(Message.kind == "reply").count() == 3


def test_poll_returns_only_newer_messages_and_the_new_status(app, people, ticket):
    customer = _as(app, "contact@acme.example")
    quiet = customer.get("/tickets/1/messages?after=1", headers=HTMX).get_data(as_text=True)
    assert "hx-swap-oob" not in quiet and 'value="1"' in quiet
    lifecycle.post_message(people["agent"], ticket, "Please send logs",
                           status="waiting_on_customer")
    news = customer.get("/tickets/1/messages?after=1", headers=HTMX).get_data(as_text=True)
    assert "Please send logs" in news and "Reports are slow" in news  # header refreshed
    assert "Waiting for your reply" in news


def test_empty_reply_keeps_the_page_and_says_why(app, people, ticket):
    customer = _as(app, "contact@acme.example")
    plain = customer.submit("/tickets/1/messages", {"body": "  "})
    assert plain.status_code == 400
    assert "Please write a message" in plain.get_data(as_text=True)
    live = customer.submit("/tickets/1/messages", {"body": ""}, headers=HTMX)
    assert live.status_code == 422 and live.headers["HX-Retarget"] == "#reply-error"


def test_closed_ticket_has_no_reply_box_but_a_follow_up(app, people, ticket):
    Ticket.update(status="closed").where(Ticket.id == ticket.id).execute()
    page = _as(app, "contact@acme.example").get("/tickets/1").get_data(as_text=True)
    assert 'id="reply-form"' not in page and "/tickets/new?follow_up=1" in page
    refused = _as(app, "contact@acme.example").submit("/tickets/1/messages", {"body": "x"})
    assert refused.status_code == 409


def test_staff_controls_update_in_place(app, people, ticket):
    agent = _as(app, "agent@support.example")
    html = agent.submit("/tickets/1/assign", {"assignee": "agent@support.example",
                                              "after": "1"}, headers=HTMX).get_data(as_text=True)
    assert 'id="ticket-head" class="ticket-head" hx-swap-oob="true"' in html
    assert "Staff User took the ticket." in html
    agent.submit("/tickets/1/status", {"status": "investigating"})
    agent.submit("/tickets/1/priority", {"priority": "1", "reason": "VIP"})
    fresh = Ticket.get_by_id(ticket.id)
    assert (fresh.status, fresh.priority, fresh.assignee.email) == (
        "investigating", 1, "agent@support.example")
    refused = agent.submit("/tickets/1/status", {"status": "closed"}, headers=HTMX)
    assert refused.status_code == 422 and refused.headers["HX-Retarget"] == "#controls-error"
    assert "cannot move" in refused.get_data(as_text=True)


def test_customers_cannot_use_staff_controls(app, people, ticket):
    customer = _as(app, "admin@acme.example")
    for url, form in [("/tickets/1/status", {"status": "investigating"}),
                      ("/tickets/1/priority", {"priority": "1", "reason": "me"}),
                      ("/tickets/1/assign", {"assignee": "agent@support.example"})]:
        assert customer.submit(url, form).status_code == 409
    assert "Only support staff" in customer.submit(
        "/tickets/1/status", {"status": "resolved"}).get_data(as_text=True)
    fresh = Ticket.get_by_id(ticket.id)
    assert (fresh.status, fresh.priority, fresh.assignee_id) == ("new", 3, None)


def test_customer_solve_and_escalate_buttons(app, people, ticket):
    customer = _as(app, "contact@acme.example")
    page = customer.get("/tickets/1").get_data(as_text=True)
    assert "/tickets/1/solve" not in page  # not yet assigned
    assert "/tickets/1/escalate" in page
    customer.submit("/tickets/1/escalate", {"reason": "Month-end closing blocked"})
    assert Ticket.get_by_id(ticket.id).escalated
    again = customer.get("/tickets/1").get_data(as_text=True)
    assert "/tickets/1/escalate" not in again
    staff_view = _as(app, "agent@support.example")
    assert "Month-end closing blocked" in staff_view.get("/tickets/1").get_data(as_text=True)
    assert "Escalated" in staff_view.get("/staff/").get_data(as_text=True)
    lifecycle.assign(people["agent"], Ticket.get_by_id(ticket.id), "agent@support.example")
    assert "/tickets/1/solve" in customer.get("/tickets/1").get_data(as_text=True)
    customer.submit("/tickets/1/solve")
    assert Ticket.get_by_id(ticket.id).status == "resolved"


def test_every_action_answers_404_to_outsiders(app, people, ticket, with_note):
    rival = factories.org("rival")
    factories.user("x@rival.example", organization=rival, org_role="org_admin")
    for email in ("x@rival.example", "member@acme.example"):
        outsider = _as(app, email)
        assert outsider.get("/tickets/1").status_code == 404
        assert outsider.get("/tickets/1/messages?after=0", headers=HTMX).status_code == 404
        for url, form in [("/tickets/1/messages", {"body": "hi"}),
                          ("/tickets/1/solve", {}), ("/tickets/1/escalate", {"reason": "x"}),
                          ("/tickets/1/status", {"status": "resolved"}),
                          ("/tickets/1/priority", {"priority": "1", "reason": "x"}),
                          ("/tickets/1/assign", {"assignee": ""})]:
            assert outsider.submit(url, form).status_code == 404, (email, url)
    assert Message.select().where(Message.body == "hi").count() == 0


def test_times_are_shown_in_the_viewers_zone(app, people, ticket):
    from portal.accounts.models import User

    User.update(timezone="America/New_York").where(
        User.email == "contact@acme.example").execute()
    page = _as(app, "contact@acme.example").get("/tickets/1").get_data(as_text=True)
    assert "America/New_York" in page


def test_event_lines_speak_japanese(app, people, ticket):
    lifecycle.change_status(people["agent"], ticket, "investigating")
    customer = _as(app, "contact@acme.example")
    html = customer.get("/tickets/1", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert re.search(r"状態を「新規」から「調査中」に変更しました", html)


def test_images_show_inline_only_when_their_bytes_are_images(app, people, ticket):
    from portal.tickets.uploads import Upload

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    lifecycle.post_message(people["contact"], ticket, "Screens", [
        Upload("screen.png", io.BytesIO(png)), Upload("fake.png", io.BytesIO(b"<svg/>")),
        Upload("drawing.gif", io.BytesIO(b"<svg onload=alert(1)/>"))])
    customer = _as(app, "contact@acme.example")
    page = customer.get("/tickets/1").get_data(as_text=True)
    assert page.count('class="thumb"') == 1
    real = customer.get("/tickets/1/attachments/1?inline=1")
    real.close()
    assert real.headers["Content-Disposition"].startswith("inline")
    for attachment_id in (2, 3):
        forced = customer.get(f"/tickets/1/attachments/{attachment_id}?inline=1")
        forced.close()
        assert forced.headers["Content-Disposition"].startswith("attachment")
        assert forced.headers["Content-Type"] == "application/octet-stream"
