"""Satisfaction votes: only the requester, only while resolved, only by POST, one per
ticket; and the staff's tables."""

import re

import pytest

from portal.mail.models import Outbox
from portal.tickets import lifecycle, satisfaction
from portal.tickets.lifecycle import Refused
from portal.tickets.models import Satisfaction, Ticket
from tests import factories


@pytest.fixture
def resolved(people):
    ticket = factories.ticket(people["contact"], subject="Slow reports")
    lifecycle.assign(people["agent"], ticket, people["agent"].email)
    lifecycle.change_status(people["agent"], ticket, "resolved")
    return Ticket.get_by_id(ticket.id)


def test_get_shows_the_question_and_records_nothing(people, resolved, client, login):
    login("contact@acme.example")
    page = client.get(f"/tickets/{resolved.number}/satisfaction?rating=good")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r'value="good" required\s+checked', html)
    assert Satisfaction.select().count() == 0


def test_post_records_and_a_second_vote_replaces_the_first(people, resolved, client, login):
    login("contact@acme.example")
    first = client.submit(f"/tickets/{resolved.number}/satisfaction", {"rating": "good"})
    assert first.status_code == 302
    client.submit(f"/tickets/{resolved.number}/satisfaction",
                  {"rating": "bad", "comment": "Took a week"})
    votes = list(Satisfaction.select())
    assert [(v.rating, v.comment, v.voter_id) for v in votes] == [
        ("bad", "Took a week", people["contact"].id)]
    assert "Took a week" in client.get(f"/tickets/{resolved.number}").get_data(as_text=True)


def test_a_bad_rating_value_is_refused_and_nothing_stored(people, resolved, client, login):
    login("contact@acme.example")
    answer = client.submit(f"/tickets/{resolved.number}/satisfaction", {"rating": "meh"})
    assert answer.status_code == 400 and "good or bad" in answer.get_data(as_text=True)
    assert Satisfaction.select().count() == 0


def test_a_closed_ticket_refuses_a_vote(people, resolved, client, login):
    satisfaction.vote(people["contact"], resolved, "good")
    lifecycle.change_status(people["agent"], resolved, "closed")
    login("contact@acme.example")
    answer = client.submit(f"/tickets/{resolved.number}/satisfaction", {"rating": "bad"})
    assert answer.status_code == 409
    assert Satisfaction.get().rating == "good"


def test_an_open_ticket_cannot_be_rated(people):
    ticket = factories.ticket(people["contact"])
    with pytest.raises(Refused):
        satisfaction.vote(people["contact"], ticket, "good")


def test_only_the_requester_votes(people, resolved, client, login):
    login("admin@acme.example")  # an org admin sees the ticket but did not ask
    assert client.submit(f"/tickets/{resolved.number}/satisfaction",
                         {"rating": "bad"}).status_code == 409
    with pytest.raises(Refused):
        satisfaction.vote(people["agent"], resolved, "good")
    assert Satisfaction.select().count() == 0


def test_another_organizations_customer_gets_404(people, resolved, client, login):
    factories.user("eve@other.example", organization=factories.org("other"))
    login("eve@other.example")
    for answer in (client.get(f"/tickets/{resolved.number}/satisfaction?rating=bad"),
                   client.submit(f"/tickets/{resolved.number}/satisfaction",
                                 {"rating": "bad"})):
        assert answer.status_code == 404
    assert Satisfaction.select().count() == 0


def test_the_resolution_mail_asks_the_requester_only(people, app):
    ticket = factories.ticket(people["contact"], participants=["member@acme.example"])
    lifecycle.change_status(people["agent"], ticket, "resolved")
    mails = {m.to_address: m for m in Outbox.select().order_by(Outbox.id)}  # the last each
    asked = next(m for a, m in mails.items() if "contact@" in a)
    copied = next(m for a, m in mails.items() if "member@" in a)
    link = f"/tickets/{ticket.number}/satisfaction?rating=good"
    assert link in asked.text_body and link in asked.html_body
    assert "satisfaction" not in copied.text_body


def test_staff_see_votes_per_agent_and_organization(people, resolved, client, login):
    satisfaction.vote(people["contact"], resolved, "bad", "<b>slow</b>")
    other = factories.ticket(people["contact"], subject="Second")
    lifecycle.change_status(people["agent"], other, "resolved")
    satisfaction.vote(people["contact"], other, "good")
    agents = {r["name"]: r for r in satisfaction.by_agent()}
    assert agents["Staff User"]["votes"] == 1 and agents["Staff User"]["bad"] == 1
    assert agents[""]["good"] == 1
    assert satisfaction.by_organization() == [
        {"name": "Org acme", "votes": 2, "good": 1, "bad": 1, "percent": 50}]
    login("agent@support.example")
    html = client.get("/staff/dashboard").get_data(as_text=True)
    assert "Org acme" in html and "50%" in html
    ticket_page = client.get(f"/tickets/{resolved.number}").get_data(as_text=True)
    assert "&lt;b&gt;slow&lt;/b&gt;" in ticket_page
