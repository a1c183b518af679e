"""/preview renders for people signed in, a bounded number of times a minute."""

from portal.site import PREVIEWS_PER_MINUTE
from tests import factories


def test_anonymous_preview_is_refused_without_rendering(app, client, monkeypatch):
    rendered = []
    monkeypatch.setattr("portal.site.render_markdown", lambda text: rendered.append(text) or "")
    response = client.submit("/preview", {"body": "[" * 5000})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert rendered == []


def test_previews_are_rate_limited_per_user(app, client, login):
    factories.user("mika@example.com")
    login("mika@example.com")
    token = client.csrf_token()
    for _ in range(PREVIEWS_PER_MINUTE):
        assert client.submit("/preview", {"body": "**x**", "csrf_token": token}).status_code == 200
    refused = client.submit("/preview", {"body": "**x**", "csrf_token": token})
    assert refused.status_code == 429
    assert "Too many previews" in refused.get_data(as_text=True)

    # Someone else is not held back by it.
    factories.user("ken@example.com")
    other = app.test_client()
    other.submit("/login", {"email": "ken@example.com", "password": factories.PASSWORD})
    assert other.submit("/preview", {"body": "**x**"}).status_code == 200
