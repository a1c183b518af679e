"""Suggestions beside the form, and "this answered my question"."""

from portal.kb.models import Deflection
from portal.tickets.models import Ticket


def test_suggest_reads_subject_and_description(demo, client):
    html = client.get("/kb/suggest?subject=請求書が届かない&description=先月から").get_data(
        as_text=True)
    assert "/kb/invoice-not-received" in html


def test_suggest_ignores_the_outline_of_the_description(demo, client):
    from portal.tickets.models import TicketType

    outline = TicketType.get(TicketType.code == "incident").template_ja
    html = client.get("/kb/suggest", query_string={"subject": "請求書が届かない",
                                                    "description": outline}).get_data(
        as_text=True)
    assert "/kb/invoice-not-received" in html


def test_answered_records_a_deflection_and_files_nothing(demo, client, login):
    before = Ticket.select().count()
    login("suzuki@acme.example", demo.PASSWORD)
    html = client.get("/kb/suggest?q=請求書").get_data(as_text=True)
    assert 'action="/kb/invoice-not-received/answered"' in html
    response = client.submit("/kb/invoice-not-received/answered", {"q": "請求書が届かない"})
    assert response.status_code == 302
    deflection = Deflection.get()
    assert (deflection.article.slug, deflection.user.email, deflection.query) == (
        "invoice-not-received", "suzuki@acme.example", "請求書が届かない")
    assert Ticket.select().count() == before


def test_answered_needs_a_signed_in_post(demo, client):
    assert client.get("/kb/invoice-not-received/answered").status_code == 405
    assert client.submit("/kb/invoice-not-received/answered").status_code == 302  # to login
    assert Deflection.select().count() == 0


def test_preview_accepts_the_description_field(app, client, login):
    from tests import factories

    factories.user("mika@example.com")
    login("mika@example.com")
    html = client.submit("/preview", {"description": "# 見出し"}).get_data(as_text=True)
    assert "<h1>見出し</h1>" in html


def test_no_preview_without_javascript(people, client, login):
    login("contact@acme.example")
    response = client.submit("/tickets/new", {"type": "question", "severity": "3",
                                              "subject": "s", "description": "**太字**",
                                              "preview": "1"})
    html = response.get_data(as_text=True)
    assert "<strong>太字</strong>" in html and Ticket.select().count() == 0
    assert "**太字**" in html  # the form is shown again with what was typed
