"""The requests list: mine, my organization's, filters and search."""

from portal.tickets.models import Participant, Ticket
from tests import factories


def test_my_requests_and_the_organization_tab(people, client, login):
    factories.ticket(people["contact"], subject="Contact own")
    factories.ticket(people["admin"], subject="Admin own")
    copied = factories.ticket(people["admin"], subject="Copied to contact")
    Participant.create(ticket=copied, user=people["contact"])
    login("contact@acme.example")
    mine = client.get("/tickets/").get_data(as_text=True)
    assert "Contact own" in mine and "Copied to contact" in mine
    assert "Admin own" not in mine
    assert "All of" not in mine  # no organization tab for a contact
    assert "Admin own" not in client.get("/tickets/?scope=org").get_data(as_text=True)

    admin = client.application.test_client()
    admin.submit("/login", {"email": "admin@acme.example", "password": factories.PASSWORD})
    org = admin.get("/tickets/?scope=org").get_data(as_text=True)
    assert all(s in org for s in ("Contact own", "Admin own", "Copied to contact"))


def test_filter_by_status_and_search_by_subject_or_number(people, client, login):
    first = factories.ticket(people["contact"], subject="Mail bounces")
    factories.ticket(people["contact"], subject="VPN drops")
    Ticket.update(status="resolved").where(Ticket.id == first.id).execute()
    login("contact@acme.example")
    resolved = client.get("/tickets/?status=resolved").get_data(as_text=True)
    assert "Mail bounces" in resolved and "VPN drops" not in resolved
    open_ = client.get("/tickets/?status=open").get_data(as_text=True)
    assert "VPN drops" in open_ and "Mail bounces" not in open_
    assert "VPN drops" in client.get("/tickets/?q=vpn").get_data(as_text=True)
    by_number = client.get("/tickets/?q=MDG-1").get_data(as_text=True)
    assert "Mail bounces" in by_number and "VPN drops" not in by_number


def test_newest_activity_first_and_paginated(people, client, login):
    for i in range(25):
        factories.ticket(people["contact"], subject=f"Ticket number {i:02d}")
    login("contact@acme.example")
    page1 = client.get("/tickets/").get_data(as_text=True)
    assert page1.index("Ticket number 24") < page1.index("Ticket number 23")
    assert "Ticket number 04" not in page1
    page2 = client.get("/tickets/?page=2").get_data(as_text=True)
    assert "Ticket number 04" in page2 and "Ticket number 24" not in page2
