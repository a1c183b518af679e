"""Kept public pages answered before Flask: the very response Flask gives, only to a
visitor whose session holds nothing of theirs, never a stale or another language's copy."""

import pytest

from portal.kb import services
from portal.kb.models import Article
from tests import factories


@pytest.fixture
def flask_requests(app):
    """How many requests reached Flask's own request handling."""
    seen = []
    app.before_request(lambda: seen.append(1))
    return seen


def _flask_only(app, client, path, **kwargs):
    handlers = app.extensions["early_handlers"]
    saved = handlers[:]
    handlers.clear()
    try:
        return client.get(path, **kwargs)
    finally:
        handlers[:] = saved


def test_a_visitor_gets_the_same_response_as_from_flask(app, client, flask_requests):
    factories.article("Exporting reports", slug="exporting", category="Reports")
    for path in ("/kb/exporting", "/kb/"):
        client.get(path)  # kept, and the session gets its CSRF value
        before = len(flask_requests)
        early = client.get(path)
        assert len(flask_requests) == before  # answered before Flask
        flask = _flask_only(app, client, path)
        assert len(flask_requests) == before + 1
        assert early.status_code == flask.status_code == 200
        assert early.headers.to_wsgi_list() == flask.headers.to_wsgi_list()
        assert early.get_data() == flask.get_data()
        assert "Set-Cookie" not in early.headers and "Cache-Control" not in early.headers


def test_only_a_visitor_with_nothing_of_theirs_is_answered_early(app, client, login,
                                                                  flask_requests):
    factories.article("Exporting reports", slug="exporting")
    client.get("/kb/exporting")
    other = app.test_client()
    before = len(flask_requests)
    other.get("/kb/exporting")  # no session yet: Flask gives it its CSRF value
    assert len(flask_requests) == before + 1
    client.get("/kb/exporting", headers={"HX-Request": "true"})
    assert len(flask_requests) == before + 2
    client.submit("/kb/exporting/feedback", {"helpful": "yes"})  # a vote in the session
    before = len(flask_requests)
    assert "Thank you" in client.get("/kb/exporting").get_data(as_text=True)
    assert len(flask_requests) == before + 1
    factories.user("mika@example.com")
    login("mika@example.com")
    before = len(flask_requests)
    page = client.get("/kb/exporting")
    assert len(flask_requests) == before + 1
    assert page.headers["Cache-Control"] == "no-store" and "Test User" in page.get_data(
        as_text=True)


def test_a_changed_or_old_copy_is_not_answered_early(app, client, monkeypatch,
                                                      flask_requests):
    article = factories.article("Old title", slug="changing")
    client.get("/kb/changing")
    data = services.as_input(Article.get_by_id(article.id))
    data.title = "New title"
    services.save_article(data, article=Article.get_by_id(article.id))
    before = len(flask_requests)
    assert "New title" in client.get("/kb/changing").get_data(as_text=True)
    assert len(flask_requests) == before + 1
    from portal.kb import pagecache

    real = pagecache.time.monotonic
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: real() + pagecache.MAX_AGE + 1)
    before = len(flask_requests)
    client.get("/kb/changing")
    assert len(flask_requests) == before + 1


def test_each_language_gets_its_own_copy(app, client, flask_requests):
    factories.article("Exporting reports", slug="exporting")
    client.get("/kb/")
    english = client.get("/kb/").get_data(as_text=True)
    japanese = client.get("/kb/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert 'lang="en"' in english and 'lang="ja"' in japanese
    before = len(flask_requests)
    assert client.get("/kb/", headers={"Accept-Language": "ja"}).get_data(
        as_text=True) == japanese
    assert len(flask_requests) == before


def test_a_fault_in_the_early_answer_leaves_the_request_to_flask(app, client, monkeypatch,
                                                                 flask_requests):
    from portal.kb import pagecache

    factories.article("Exporting reports", slug="exporting")
    client.get("/kb/exporting")

    def broken(*args):
        raise RuntimeError("broken")

    monkeypatch.setattr(pagecache, "signed_csrf", broken)
    before = len(flask_requests)
    response = client.get("/kb/exporting")
    assert response.status_code == 200 and "Exporting reports" in response.get_data(
        as_text=True)
    assert len(flask_requests) == before + 1
