"""Access rules, from the attacker's side: guessing numbers and attachment ids."""

import io

import pytest

from portal.tickets.models import Attachment
from tests import factories
from tests.tickets.conftest import valid_form


@pytest.fixture
def filed(people, client, login, app):
    """Three Acme tickets with attachments, filed by the contact; then sign out."""
    login("contact@acme.example")
    for i in range(3):
        files = [(io.BytesIO(f"secret {i}".encode()), f"secret{i}.txt")]
        client.submit("/tickets/new", {**valid_form(subject=f"Acme secret {i}"),
                                       "attachments": files},
                      content_type="multipart/form-data")
    client.submit("/logout")
    return [a.id for a in Attachment.select()]


def _sweep(client, attachment_ids):
    pages = {client.get(f"/tickets/{n}").status_code for n in range(0, 8)}
    prefixed = {client.get(f"/tickets/MDG-{n}").status_code for n in range(0, 8)}
    files = {client.get(f"/tickets/{n}/attachments/{a}").status_code
             for n in range(0, 5) for a in [*attachment_ids, 999]}
    return pages, prefixed, files


def test_another_organizations_customer_gets_404_everywhere(filed, app):
    rival = factories.org("rival", plan="premium")
    factories.user("boss@rival.example", organization=rival, org_role="org_admin")
    attacker = app.test_client()
    attacker.submit("/login", {"email": "boss@rival.example", "password": factories.PASSWORD})
    pages, prefixed, files = _sweep(attacker, filed)
    assert pages == prefixed == files == {404}
    listing = attacker.get("/tickets/?scope=org").get_data(as_text=True)
    assert "Acme secret" not in listing
    assert "Acme secret" not in attacker.get("/tickets/?q=secret").get_data(as_text=True)


def test_a_colleague_not_taking_part_gets_404(filed, app):
    colleague = app.test_client()
    colleague.submit("/login", {"email": "member@acme.example",
                                "password": factories.PASSWORD})
    pages, prefixed, files = _sweep(colleague, filed)
    assert pages == prefixed == files == {404}


def test_the_404_page_says_nothing_about_the_ticket(filed, app):
    rival = factories.org("rival")
    factories.user("x@rival.example", organization=rival)
    attacker = app.test_client()
    attacker.submit("/login", {"email": "x@rival.example", "password": factories.PASSWORD})
    html = attacker.get("/tickets/1").get_data(as_text=True)
    assert "Acme" not in html and "secret" not in html


def test_org_admin_participant_and_staff_may_see(filed, app, people):
    from portal.tickets.models import Participant, Ticket

    Participant.create(ticket=Ticket.get(Ticket.number == 2), user=people["member"])
    for email, visible in [("admin@acme.example", {1, 2, 3}), ("member@acme.example", {2}),
                           ("agent@support.example", {1, 2, 3})]:
        viewer = app.test_client()
        viewer.submit("/login", {"email": email, "password": factories.PASSWORD})
        seen = {n for n in (1, 2, 3) if viewer.get(f"/tickets/{n}").status_code == 200}
        assert seen == visible, email


def test_anonymous_visitors_are_sent_to_sign_in(filed, client):
    response = client.get("/tickets/1")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/tickets/1/attachments/1").status_code == 302


def test_downloads_are_attachments_that_never_run_in_our_origin(filed, app):
    owner = app.test_client()
    owner.submit("/login", {"email": "contact@acme.example", "password": factories.PASSWORD})
    response = owner.get(f"/tickets/1/attachments/{filed[0]}")
    body = response.get_data()
    response.close()
    assert response.status_code == 200 and body == b"secret 0"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("sandbox")


def test_a_deactivated_organization_loses_access(filed, app):
    from portal.accounts.services import deactivate_org

    owner = app.test_client()
    owner.submit("/login", {"email": "contact@acme.example", "password": factories.PASSWORD})
    deactivate_org("acme")
    assert owner.get("/tickets/1").status_code in (302, 404)


def test_the_follow_up_field_reveals_nothing_of_other_organizations(filed, app):
    rival = factories.org("rival", plan="premium")
    factories.user("x@rival.example", organization=rival)
    attacker = app.test_client()
    attacker.submit("/login", {"email": "x@rival.example", "password": factories.PASSWORD})
    for number in (1, 2, 3):
        html = attacker.submit("/tickets/new", {**valid_form(subject=""),
                                                "follow_up": str(number)}).get_data(as_text=True)
        assert "Acme secret" not in html
        html = attacker.get(f"/tickets/new?follow_up={number}").get_data(as_text=True)
        assert "Acme secret" not in html
