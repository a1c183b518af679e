"""The staff article editor: who may use it, and what it does to the index."""

import pytest

from portal.kb import search
from portal.kb.models import Article
from tests import factories

FORM = {"title": "VPN が切断される", "body": "## 対処\n\n再接続してください。", "kind": "faq",
        "language": "ja", "category": "ネットワーク", "status": "published", "slug": "",
        "product": ""}


@pytest.fixture
def agent(app, login):
    factories.user("agent@example.com", role="agent")
    login("agent@example.com")


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/staff/kb/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_customers_get_not_found(app, client, login):
    factories.user("mika@example.com")
    login("mika@example.com")
    assert client.get("/staff/kb/").status_code == 404
    assert client.get("/staff/kb/new").status_code == 404
    assert client.submit("/staff/kb/new", FORM).status_code == 404
    assert Article.select().count() == 0


def test_create_publish_and_find(agent, client):
    response = client.submit("/staff/kb/new", FORM)
    assert response.status_code == 302
    article = Article.get()
    assert article.body_html.startswith("<h2>対処</h2>")
    assert [h.id for h in search.search("切断", "ja")[0]] == [article.id]
    assert client.get(f"/kb/{article.slug}").status_code == 200


def test_errors_keep_what_was_typed(agent, client):
    form = {**FORM, "title": "  ", "body": "本文はここに残る <b>", "slug": "Bad Slug"}
    response = client.submit("/staff/kb/new", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please enter a title." in html
    assert "Use lower-case letters" in html
    assert "本文はここに残る &lt;b&gt;" in html
    assert 'value="Bad Slug"' in html
    assert Article.select().count() == 0


def test_unpublish_hides_from_customers_and_search(agent, app, client):
    client.submit("/staff/kb/new", FORM)
    article = Article.get()
    client.submit(f"/staff/kb/{article.id}/status", {"status": "draft"})
    assert search.search("切断", "ja")[0] == []
    anonymous = app.test_client()
    assert anonymous.get(f"/kb/{article.slug}").status_code == 404
    client.submit(f"/staff/kb/{article.id}/status", {"status": "published"})
    assert anonymous.get(f"/kb/{article.slug}").status_code == 200


def test_edit_and_delete(agent, client):
    client.submit("/staff/kb/new", FORM)
    article = Article.get()
    client.submit(f"/staff/kb/{article.id}/edit", {**FORM, "title": "VPN がつながらない"})
    assert Article.get_by_id(article.id).title == "VPN がつながらない"
    assert search.search("切断", "ja")[0] == []
    assert search.search("つながらない", "ja")[0][0].id == article.id
    client.submit(f"/staff/kb/{article.id}/delete")
    assert Article.select().count() == 0
    assert search.search("VPN", "ja")[0] == []
    assert client.get(f"/staff/kb/{article.id}/edit").status_code == 404


def test_list_filters_and_drafts_for_staff(agent, demo, client):
    html = client.get("/staff/kb/?status=draft").get_data(as_text=True)
    assert "upcoming-features" not in html  # ids in links, titles shown
    assert "新機能のご案内" in html
    assert "ログインできない" not in html
    html = client.get("/staff/kb/?q=SSO&language=en").get_data(as_text=True)
    assert "Setting up single sign-on" in html and "SSO(SAML)" not in html


def test_preview_is_sanitized(app, client, login):
    factories.user("mika@example.com")
    login("mika@example.com")
    response = client.submit("/preview", {"body": "**hi** <script>x()</script>"})
    html = response.get_data(as_text=True)
    assert "<strong>hi</strong>" in html and "<script" not in html
    assert client.post("/preview", data={"body": "x"}).status_code == 400
