"""Session cookies read once per worker: every request still gets its own copy, an
expired or altered cookie is still refused, and a signed-in page still knows its reader."""

import time

from flask import request

from tests import factories


def _cookie(client) -> str:
    return client.get_cookie("madoguchi_session").value


def _open(app, cookie: str):
    with app.test_request_context(headers={"Cookie": f"madoguchi_session={cookie}"}):
        return app.session_interface.open_session(app, request)


def test_each_request_gets_its_own_copy_of_a_kept_cookie(app, client):
    client.get("/kb/")
    cookie = _cookie(client)
    first = _open(app, cookie)
    assert "csrf_token" in first
    first["csrf_token"] = "changed"
    first.setdefault("_flashes", []).append(("info", "changed"))
    second = _open(app, cookie)
    assert second["csrf_token"] != "changed" and "_flashes" not in second
    assert not second.modified


def test_an_expired_cookie_is_refused_though_it_was_read_before(app, client, monkeypatch):
    client.get("/kb/")
    cookie = _cookie(client)
    assert "csrf_token" in _open(app, cookie)
    later = time.time() + app.permanent_session_lifetime.total_seconds() + 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert dict(_open(app, cookie)) == {}


def test_an_altered_cookie_is_refused(app, client):
    client.get("/kb/")
    cookie = _cookie(client)
    assert "csrf_token" in _open(app, cookie)
    altered = cookie[:-2] + ("A" if cookie[-2] != "A" else "B") + cookie[-1]
    assert dict(_open(app, altered)) == {}
    assert dict(_open(app, altered)) == {}


def test_a_signed_in_cookie_read_again_still_names_its_reader(app, client, login):
    factories.user("mika@example.com")
    login("mika@example.com")
    for _ in range(3):
        page = client.get("/account")
        assert page.status_code == 200 and "mika@example.com" in page.get_data(as_text=True)
    client.submit("/logout")
    assert client.get("/account").status_code == 302
