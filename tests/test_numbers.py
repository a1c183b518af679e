"""Numbers from outside never reach the database out of range: 404 or 400, never 500."""

import pytest

from portal.numbers import MAX_ID, parse_id
from tests import factories

HUGE = "99999999999999999999999"


@pytest.fixture
def staff_client(app, client, login):
    org = factories.org("acme")
    customer = factories.user("mika@example.com", organization=org)
    factories.ticket(customer)
    factories.user("agent@example.com", role="agent")
    login("agent@example.com")
    return client


@pytest.mark.parametrize("path", [
    f"/tickets/{HUGE}", f"/tickets/MDG-{HUGE}", "/tickets/9223372036854775808",
    "/tickets/²", "/tickets/١", f"/tickets/1/attachments/{HUGE}",
    f"/tickets/{HUGE}/attachments/1", f"/tickets/{HUGE}/messages",
    f"/staff/kb/{HUGE}/edit", "/tickets/1/attachments/²",
])
def test_huge_or_strange_ids_in_urls_are_not_found(staff_client, path):
    assert staff_client.get(path).status_code == 404


@pytest.mark.parametrize("path", [
    f"/tickets/{HUGE}/messages", f"/tickets/{HUGE}/status", f"/tickets/{HUGE}/priority",
    f"/tickets/{HUGE}/assign", f"/staff/kb/{HUGE}/status", f"/staff/kb/{HUGE}/delete",
])
def test_huge_ids_in_posts_are_not_found(staff_client, path):
    # 405 where Werkzeug's matcher knows a GET route of the same shape.
    assert staff_client.submit(path, {"body": "x", "status": "resolved"}).status_code in (
        404, 405)


@pytest.mark.parametrize("query", [
    f"page={HUGE}", "page=²", f"q={HUGE}", f"q=MDG-{HUGE}", f"severity={HUGE}",
    f"assignee={HUGE}", f"org={HUGE}", f"type={HUGE}", f"sort={HUGE}", f"status={HUGE}",
])
def test_huge_numbers_in_list_filters_answer(staff_client, query):
    assert staff_client.get(f"/staff/?{query}").status_code == 200
    assert staff_client.get(f"/tickets/?{query}").status_code == 200
    assert staff_client.get(f"/staff/kb/?{query}").status_code == 200


def test_huge_numbers_in_form_fields_are_refused(staff_client):
    fields = {"priority": HUGE, "reason": "because", "assignee": HUGE, "status": HUGE,
              "body": "x"}
    for action in ("priority", "assign", "status"):
        assert staff_client.submit(f"/tickets/1/{action}", fields).status_code in (400, 409)
    poll = staff_client.get(f"/tickets/1/messages?after={HUGE}")
    assert poll.status_code == 200


def test_huge_numbers_in_the_ticket_form_are_refused(app, client, login):
    factories.user("mika@example.com")
    login("mika@example.com")
    form = {"type": "question", "severity": HUGE, "subject": "s", "description": "d",
            "environment": HUGE, "follow_up": HUGE, "product": HUGE}
    assert client.submit("/tickets/new", form).status_code == 400


@pytest.mark.parametrize("extra", ["_external=1", "_method=DELETE", "_scheme=javascript",
                                   "_anchor=x", "evil=1", "_external=1&_scheme=https"])
def test_the_pager_passes_only_known_filters(app, client, login, extra):
    org = factories.org("acme")
    customer = factories.user("mika@example.com", organization=org)
    for i in range(51):
        factories.ticket(customer, subject=f"Ticket {i}")
    factories.user("agent@example.com", role="agent")
    agent = app.test_client()
    agent.submit("/login", {"email": "agent@example.com", "password": factories.PASSWORD})
    login("mika@example.com")
    for who, path in ((agent, "/staff/?status=all&"), (client, "/tickets/?scope=mine&")):
        response = who.get(path + extra)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        links = [part.split('"')[0] for part in html.split('href="')[1:]
                 if "page=" in part.split('"')[0]]
        assert links, path
        for link in links:
            assert link.startswith("/") and "http" not in link
            assert "_external" not in link and "_method" not in link and "evil" not in link


def test_parse_id():
    assert parse_id("42") == 42 and parse_id(" 42 ") == 42 and parse_id(7) == 7
    assert parse_id(str(MAX_ID)) == MAX_ID
    for bad in (str(MAX_ID + 1), HUGE, "²", "١٢", "-1", "1e3", "", None, -1, MAX_ID + 1):
        assert parse_id(bad) is None
