"""The blank new-request form kept per reader: each visit gets its own tokens, a copy is
only ever served to the person it was made for, and any change the form shows appears
at once."""

import re
from contextlib import contextmanager

from flask import template_rendered

from portal.accounts.models import Environment, Product, User
from portal.tickets.models import Ticket, TicketType
from tests import factories
from tests.tickets.conftest import valid_form

SUBMISSION = re.compile(r'name="submission" value="([^"]+)"')
TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
WHO = re.compile(r'<a class="who" href="[^"]*" title="([^"]+)">([^<]+)</a>')


@contextmanager
def _rendered(app):
    names = []
    record = lambda sender, template, context, **extra: names.append(template.name)  # noqa: E731
    template_rendered.connect(record, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(record, app)


def _form(client) -> str:
    response = client.get("/tickets/new")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_data(as_text=True)


def test_each_visit_gets_its_own_submission_token_and_the_sessions_csrf_token(
        app, people, client, login):
    login("contact@acme.example")
    _form(client)  # shows "Signed in as…" once
    first = _form(client)
    with _rendered(app) as names:
        second = _form(client)
    assert names == []  # served from the copy
    assert len(app.extensions["ticket_form_pages"]) == 1
    assert "\x00" not in second
    assert SUBMISSION.search(first).group(1) != SUBMISSION.search(second).group(1)
    token = TOKEN.search(second).group(1)
    assert second.count(token) == 4  # the meta tag and the three forms
    response = client.post("/tickets/new", data=valid_form(
        csrf_token=token, submission=SUBMISSION.search(second).group(1)))
    assert response.status_code == 302
    assert Ticket.get().submission == SUBMISSION.search(second).group(1)


def test_a_copy_is_only_served_to_the_person_it_was_made_for(app, people, login):
    pages = {}
    for email in ("contact@acme.example", "admin@acme.example"):
        browser = app.test_client()
        browser.submit("/login", {"email": email, "password": factories.PASSWORD})
        _form(browser)
        pages[email] = _form(browser)
    assert len(app.extensions["ticket_form_pages"]) == 2
    assert WHO.search(pages["contact@acme.example"]).group(1) == "contact@acme.example"
    assert WHO.search(pages["admin@acme.example"]).group(1) == "admin@acme.example"
    # Only the org admin may file for a colleague.
    assert 'id="requester"' in pages["admin@acme.example"]
    assert 'id="requester"' not in pages["contact@acme.example"]


def test_changes_to_what_the_form_lists_show_at_once(app, people, acme, client, login):
    login("contact@acme.example")
    _form(client)
    assert "newcomer@acme.example" not in _form(client)
    factories.user("newcomer@acme.example", organization=acme)
    assert "newcomer@acme.example" in _form(client)
    Product.create(code="beacon", name_en="Beacon Monitor", name_ja="ビーコン")
    assert "Beacon Monitor" in _form(client)
    Environment.create(organization=acme, name="staging-tokyo")
    assert "staging-tokyo" in _form(client)
    TicketType.update(template_en="## A brand-new outline").where(
        TicketType.code == "question").execute()
    assert "## A brand-new outline" in _form(client)
    User.update(active=False).where(User.email == "newcomer@acme.example").execute()
    assert "newcomer@acme.example" not in _form(client)
    User.update(name="Contact Renamed").where(User.email == "contact@acme.example").execute()
    assert WHO.search(_form(client)).group(2) == "Contact Renamed"


def test_a_waiting_message_is_shown_once_and_never_kept(app, people, client, login):
    login("contact@acme.example")
    assert "Signed in as" in _form(client)
    assert "Signed in as" not in _form(client)
    assert "Signed in as" not in _form(client)  # the copy, made without it


def test_a_form_filled_in_from_the_address_is_not_kept(app, people, client, login):
    login("contact@acme.example")
    _form(client)
    page = client.get("/tickets/new?subject=Exports+are+slow").get_data(as_text=True)
    assert 'value="Exports are slow"' in page
    assert 'value="Exports are slow"' not in _form(client)
    assert len(app.extensions["ticket_form_pages"]) == 1


def _flask_only(app, client, path):
    handlers = app.extensions["early_handlers"]
    saved = handlers[:]
    handlers.clear()
    try:
        return client.get(path)
    finally:
        handlers[:] = saved


def test_a_kept_form_answered_before_flask_is_the_response_flask_gives(
        app, people, client, login):
    seen = []
    app.before_request(lambda: seen.append(1))
    login("contact@acme.example")
    _form(client)  # shows "Signed in as…" once
    _form(client)  # kept
    before = len(seen)
    early = client.get("/tickets/new")
    assert len(seen) == before  # answered before Flask
    flask = _flask_only(app, client, "/tickets/new")
    assert len(seen) == before + 1
    assert early.status_code == flask.status_code == 200
    assert early.headers.to_wsgi_list() == flask.headers.to_wsgi_list()
    assert early.headers["Cache-Control"] == "no-store"

    def without_submission(response) -> str:
        return SUBMISSION.sub("", response.get_data(as_text=True))

    assert without_submission(early) == without_submission(flask)
    assert SUBMISSION.search(early.get_data(as_text=True)).group(1) != SUBMISSION.search(
        flask.get_data(as_text=True)).group(1)
    # Signed out (every copy of the cookie): never the form again, early or not.
    cookie = client.get_cookie("madoguchi_session").value
    client.submit("/logout")
    stolen = app.test_client()
    stolen.set_cookie("madoguchi_session", cookie)
    response = stolen.get("/tickets/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_deactivated_reader_is_not_answered_from_the_copy(app, people, client, login):
    login("contact@acme.example")
    _form(client)
    _form(client)
    User.update(active=False).where(User.email == "contact@acme.example").execute()
    response = client.get("/tickets/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
