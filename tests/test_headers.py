"""Security headers and cookie flags on every answer."""

import re

import pytest

from tests import factories

PAGES = ["/", "/kb/", "/kb/search?q=sso", "/login", "/no/such/page"]


@pytest.mark.parametrize("path", PAGES)
def test_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_no_inline_script(client, path):
    html = client.get(path).get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag
    assert not re.search(r"\son[a-z]+\s*=", html)  # no inline event handlers either


def test_every_page_has_the_csrf_meta_tag(client):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<meta name="csrf-token" content="[^"]+">', html)


def test_session_cookie_flags(client):
    cookies = client.get("/login").headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("madoguchi_session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie
    assert "Secure" not in session_cookie  # plain http in tests; https is tested in config


def test_signed_in_pages_are_not_cached(app, client, login):
    factories.user("mika@example.com")
    login("mika@example.com")
    assert client.get("/kb/").headers["Cache-Control"] == "no-store"


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "ok"
    assert lines[1] in ("database: sqlite answering", "database: postgresql answering")


def test_session_signer_follows_a_rotated_secret_key(app, client, login):
    """The signer is cached, but a new key still signs at once and old cookies follow
    ``SECRET_KEY_FALLBACKS``: kept when the old key is listed, refused when it is not."""
    factories.user("mika@example.com")
    login("mika@example.com")
    assert client.get("/account").status_code == 200

    app.config["SECRET_KEY_FALLBACKS"] = [app.secret_key]
    app.secret_key = "rotated-secret"
    assert client.get("/account").status_code == 200  # old cookie, accepted via fallback

    app.config["SECRET_KEY_FALLBACKS"] = []
    app.secret_key = "another-secret"
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_images_come_only_from_here(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["img-src"] == "'self' data:"


def test_hsts_whenever_the_site_is_https(tmp_path):
    """Behind a TLS-terminating proxy the request arrives as http: the configured
    address decides, never the request."""
    from tests.conftest import make_app

    https = make_app(tmp_path / "a", BASE_URL="https://support.example.com").test_client()
    for path in ("/", "/login", "/no/such/page"):
        assert https.get(path).headers["Strict-Transport-Security"] == \
            "max-age=31536000; includeSubDomains"
    plain = make_app(tmp_path / "b", BASE_URL="http://127.0.0.1:5000").test_client()
    response = plain.get("/", base_url="https://localhost")
    assert "Strict-Transport-Security" not in response.headers
