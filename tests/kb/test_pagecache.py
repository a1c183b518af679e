"""Public pages kept for visitors: each keeps their own CSRF token, nothing personal is
ever served from the copy, and every change readers can see is shown at once."""

import re

from portal.kb import services
from portal.kb.models import Article
from tests import factories

TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def test_each_visitor_gets_their_own_token_from_the_kept_page(app, client):
    factories.article("Exporting reports", slug="exporting")
    other = app.test_client()
    first = client.get("/kb/exporting").get_data(as_text=True)
    assert len(app.extensions["kb_pages"]) == 1
    second = other.get("/kb/exporting").get_data(as_text=True)  # served from the copy
    assert "Exporting reports" in second
    assert TOKEN.search(first).group(1) != TOKEN.search(second).group(1)
    assert "\x00" not in second
    # The token a visitor got from the kept page is the one their session accepts.
    assert other.post("/kb/exporting/feedback", data={
        "helpful": "yes", "csrf_token": TOKEN.search(second).group(1)}).status_code == 302


def test_a_change_shows_at_once(app, client):
    article = factories.article("Old title", slug="changing", category="Reports")
    assert "Old title" in client.get("/kb/changing").get_data(as_text=True)
    assert "Old title" in client.get("/kb/").get_data(as_text=True)
    data = services.as_input(Article.get_by_id(article.id))
    data.title = "New title"
    services.save_article(data, article=Article.get_by_id(article.id))
    assert "New title" in client.get("/kb/changing").get_data(as_text=True)
    assert "New title" in client.get("/kb/").get_data(as_text=True)
    services.set_status(Article.get_by_id(article.id), "draft")
    assert client.get("/kb/changing").status_code == 404
    assert "New title" not in client.get("/kb/").get_data(as_text=True)


def test_signed_in_pages_are_never_kept_or_served_from_the_copy(app, client, login):
    factories.article("Exporting reports", slug="exporting")
    visitor = app.test_client()
    visitor.get("/kb/exporting")
    factories.user("mika@example.com")
    login("mika@example.com")
    html = client.get("/kb/exporting").get_data(as_text=True)
    assert "Test User" in html  # the signed-in header, not the visitor's copy
    assert "Test User" not in visitor.get("/kb/exporting").get_data(as_text=True)


def test_a_visitors_vote_and_messages_are_their_own(app, client):
    factories.article("Exporting reports", slug="exporting")
    client.get("/kb/exporting")
    client.submit("/kb/exporting/feedback", {"helpful": "yes"})
    assert "Thank you" in client.get("/kb/exporting").get_data(as_text=True)
    other = app.test_client()
    assert "Thank you" not in other.get("/kb/exporting").get_data(as_text=True)


def test_made_up_query_strings_are_not_kept(app, client):
    factories.article("Exporting reports", slug="exporting")
    for n in range(5):
        assert client.get(f"/kb/exporting?x={n}").status_code == 200
    client.get("/kb/?page=2")
    assert len(app.extensions.get("kb_pages", {})) == 1
