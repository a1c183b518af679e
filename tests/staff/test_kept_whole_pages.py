"""Whole staff pages kept per worker (the ticket page and the queue, layout included):
each follows a write made elsewhere at once, each reader gets their own page and their
own CSRF token, and a customer never gets what was kept for staff."""

import re
from datetime import timedelta

import pytest

from portal import clock
from tests.conftest import ON_POSTGRES
from tests.staff.test_kept_pages import TOKEN, _elsewhere, _page, _signed_in

META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@pytest.fixture
def whole_tickets(app):
    from portal.fragments import kept as kept_of

    return kept_of(app, "ticket_whole_pages", 10)


@pytest.fixture
def whole_queues(app):
    from portal.fragments import kept as kept_of

    return kept_of(app, "queue_whole_pages", 10)


def _queue(client, query: str = "") -> str:
    response = client.get(f"/staff/{query}")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    return response.get_data(as_text=True)


def _own_token(client) -> str:
    """The client's CSRF token, as a page that is never kept shows it."""
    return META_TOKEN.search(client.get("/kb/").get_data(as_text=True)).group(1)


def test_a_kept_ticket_page_is_the_page_rendered_afresh(agent_client, desk, whole_tickets):
    t, _, _ = desk
    agent_client.get("/kb/")  # the "Signed in" message shows once, there
    first = _page(agent_client, t["others"].number)
    assert len(whole_tickets) == 1
    again = _page(agent_client, t["others"].number)
    whole_tickets.clear()
    fresh = _page(agent_client, t["others"].number)
    assert TOKEN.sub("", first) == TOKEN.sub("", again) == TOKEN.sub("", fresh)
    assert "\x00" not in again


def test_each_reader_gets_their_own_page_and_token(app, agent_client, desk, whole_tickets,
                                                   whole_queues):
    t, _, _ = desk
    number = t["new"].number
    other = _signed_in(app, "other@support.example")  # signed in first: no write in between
    agent_client.get("/kb/")
    for client, me, them in ((agent_client, "agent@support.example", "other@support.example"),
                             (other, "other@support.example", "agent@support.example"),
                             (agent_client, "agent@support.example", "other@support.example")):
        for page in (_page(client, number), _queue(client)):
            assert f'title="{me}"' in page and f'title="{them}"' not in page  # the layout
            assert set(META_TOKEN.findall(page)) == {_own_token(client)}
        assert f'name="assignee" value="{me}">' in _page(client, number)  # "Assign to me"
    assert len(whole_tickets) == 2 and len(whole_queues) == 2


def test_a_kept_ticket_page_follows_writes_elsewhere(app, agent_client, desk, whole_tickets):
    t, _, _ = desk
    number = t["new"].number
    agent_client.get("/kb/")
    page = _page(agent_client, number)
    assert "Renamed elsewhere" not in page and "Agent Elsewhere" not in page
    assert len(whole_tickets) == 1
    _elsewhere(app, "UPDATE ticket SET subject = 'Renamed elsewhere'"
                    " WHERE subject = 'Fresh and unassigned'")
    page = _page(agent_client, number)
    assert "<title>" in page and "Renamed elsewhere" in page.split("</title>")[0]
    # The reader's own name, in the layout only.
    _elsewhere(app, "UPDATE \"user\" SET name = 'Agent Elsewhere'"
                    " WHERE email = 'agent@support.example'")
    assert "Agent Elsewhere" in _page(agent_client, number)


def test_the_sla_section_follows_a_policy_changed_elsewhere(app, agent_client, desk,
                                                            whole_tickets):
    t, _, _ = desk
    number = t["new"].number
    due = re.compile(r'<time data-sla="\w+" data-state="\w+" datetime="([^"]+)"')
    agent_client.get("/kb/")
    before = due.findall(_page(agent_client, number))
    assert before
    assert len(whole_tickets) == 1
    _elsewhere(app, "UPDATE sla_policy SET minutes = minutes + 60")
    after = due.findall(_page(agent_client, number))
    assert after != before


def test_a_customer_never_gets_a_kept_staff_page(app, agent_client, desk, whole_tickets):
    t, _, _ = desk
    number = t["others"].number
    bob = _signed_in(app, "bob@beta.example")  # signed in first: no write in between
    agent_client.get("/kb/")
    staff_page = _page(agent_client, number)
    assert "Internal only" in staff_page and "customer-panel" in staff_page
    assert len(whole_tickets) == 1
    customer_page = _page(bob, number)
    assert "Internal only" not in customer_page and "customer-panel" not in customer_page
    assert 'title="bob@beta.example"' in customer_page
    assert len(whole_tickets) == 1
    assert bob.get("/staff/").status_code in (302, 403, 404)


def test_a_message_waiting_is_shown_once_and_never_kept(agent_client, desk, whole_tickets):
    t, _, _ = desk
    number = t["new"].number
    response = agent_client.post("/staff/views", data={
        "name": "Fresh ones", "view": "unassigned",
        "csrf_token": _own_token(agent_client)})
    assert response.status_code == 302
    page = _page(agent_client, number)
    assert "Fresh ones" in page and len(whole_tickets) == 0  # the "saved" message
    again = _page(agent_client, number)
    assert "Fresh ones" not in again and len(whole_tickets) == 1


def test_the_kept_queue_follows_writes_elsewhere(app, agent_client, desk, whole_queues):
    agent_client.get("/kb/")
    page = _queue(agent_client, "?view=open")
    assert "Renamed in the queue" not in page
    assert len(whole_queues) == 1
    _elsewhere(app, "UPDATE ticket SET subject = 'Renamed in the queue'"
                    " WHERE subject = 'Fresh and unassigned'")
    assert "Renamed in the queue" in _queue(agent_client, "?view=open")


def test_saved_views_written_elsewhere_show_at_once(app, agent_client, desk, whole_queues):
    agent_client.get("/kb/")
    assert "Made elsewhere" not in _queue(agent_client)
    for email, name in (("agent@support.example", "Made elsewhere"),
                        ("other@support.example", "Not the reader")):
        sql = ("INSERT INTO saved_view (user_id, name, filters, created_at) SELECT id, '%s',"
               " '{\"view\": \"open\"}', '2026-01-01 00:00:00' FROM \"user\" WHERE email = '%s'")
        _elsewhere(app, sql % (name, email))
    page = _queue(agent_client)
    assert "Made elsewhere" in page and "Not the reader" not in page


def test_the_kept_queue_follows_the_clock(agent_client, desk, whole_queues):
    agent_client.get("/kb/")
    breached = re.compile(r'data-view="breached">\s*[^<]*<span class="count">(\d+)</span>')
    before = breached.search(_queue(agent_client)).group(1)
    clock.freeze(clock.now() + timedelta(days=30))
    try:
        later = breached.search(_queue(agent_client)).group(1)
    finally:
        clock.freeze(None)
    assert int(later) > int(before)


def test_htmx_refreshes_are_not_whole_pages(agent_client, desk, whole_queues):
    agent_client.get("/kb/")
    live = agent_client.get("/staff/", headers={"HX-Request": "true"})
    assert live.status_code == 200 and "<html" not in live.get_data(as_text=True)
    assert len(whole_queues) == 0
    assert "<html" in _queue(agent_client) and len(whole_queues) == 1
    assert "<html" not in agent_client.get(
        "/staff/", headers={"HX-Request": "true"}).get_data(as_text=True)


@pytest.mark.skipif(ON_POSTGRES, reason="the same on both databases; once is enough")
def test_no_data_version_keeps_nothing(app, agent_client, desk, whole_tickets, whole_queues):
    t, _, _ = desk
    _elsewhere(app, "DELETE FROM data_version")
    _page(agent_client, t["new"].number)
    _queue(agent_client)
    assert len(whole_tickets) == 0 and len(whole_queues) == 0


@pytest.fixture
def views_called(app):
    """The number of times each staff page's view ran (an early answer runs none)."""
    called = {"tickets.show": 0, "staff.queue": 0}
    for endpoint in called:
        view = app.view_functions[endpoint]

        def counted(*args, _view=view, _endpoint=endpoint, **kwargs):
            called[_endpoint] += 1
            return _view(*args, **kwargs)

        app.view_functions[endpoint] = counted
    return called


@pytest.mark.parametrize(("endpoint", "path"), [("tickets.show", "/tickets/{number}"),
                                                ("staff.queue", "/staff/"),
                                                ("staff.queue", "/staff/?view=open")])
def test_a_kept_page_is_answered_early_as_flask_answers_it(agent_client, desk, views_called,
                                                           endpoint, path):
    t, _, _ = desk
    path = path.format(number=t["others"].number)
    agent_client.get("/kb/")
    flask_answer = agent_client.get(path)
    assert views_called[endpoint] == 1
    early_answer = agent_client.get(path)
    assert views_called[endpoint] == 1  # no view ran: answered before Flask
    assert early_answer.status_code == flask_answer.status_code == 200
    assert sorted(early_answer.headers.items()) == sorted(flask_answer.headers.items())
    assert early_answer.get_data() == flask_answer.get_data()  # the same token: one session
    assert set(META_TOKEN.findall(early_answer.get_data(as_text=True))) == {
        _own_token(agent_client)}


def test_no_early_answer_without_the_same_checks(app, agent_client, desk, views_called):
    t, _, _ = desk
    number = t["others"].number
    bob = _signed_in(app, "bob@beta.example")  # signed in first: no write in between
    agent_client.get("/kb/")
    _page(agent_client, number)
    _queue(agent_client)
    assert views_called == {"tickets.show": 1, "staff.queue": 1}
    # A customer: Flask answers (the view's guard refuses the queue).
    assert bob.get(f"/tickets/{number}").status_code == 200
    assert bob.get("/staff/").status_code == 404
    assert views_called == {"tickets.show": 2, "staff.queue": 2}
    # A visitor, and a number written otherwise (the view redirects it).
    assert app.test_client().get(f"/tickets/{number}").status_code == 302
    assert agent_client.get(f"/tickets/0{number}").status_code == 302
    # An htmx refresh and a page with a message waiting.
    agent_client.get("/staff/", headers={"HX-Request": "true"})
    assert views_called == {"tickets.show": 4, "staff.queue": 3}
    with agent_client.session_transaction() as session:
        session["_flashes"] = [("info", "A message waiting")]
    assert "A message waiting" in _page(agent_client, number)
    assert views_called == {"tickets.show": 5, "staff.queue": 3}


def test_a_signed_out_or_demoted_agent_gets_no_kept_page(app, agent_client, desk,
                                                         views_called):
    t, _, _ = desk
    number = t["others"].number
    agent_client.get("/kb/")
    assert "Internal only" in _page(agent_client, number)
    _queue(agent_client)
    _elsewhere(app, "UPDATE \"user\" SET role = 'customer' WHERE email = 'agent@support.example'")
    assert agent_client.get("/staff/").status_code == 404
    page = agent_client.get(f"/tickets/{number}")
    assert page.status_code == 404 or "Internal only" not in page.get_data(as_text=True)
    _elsewhere(app, "UPDATE \"user\" SET role = 'agent', active = FALSE"
                    " WHERE email = 'agent@support.example'")
    for path in (f"/tickets/{number}", "/staff/"):
        assert agent_client.get(path).status_code == 302  # to sign in
