"""Password reset by e-mail: same answer for everyone, signed, expiring, single-use."""

import re

import pytest

from portal.accounts import services
from portal.mail.models import Outbox
from tests import factories


@pytest.fixture
def mika(app):
    app.config.update(BASE_URL="https://help.example", MAIL_FROM="support@help.example")
    return factories.user("mika@example.com", locale="en")


def _link() -> str:
    return re.search(r"https://help\.example(/password/reset/\S+)", Outbox.get().text_body)[1]


def test_same_answer_whether_or_not_the_address_exists(mika, client):
    known = client.submit("/password/forgot", {"email": "mika@example.com"})
    unknown = client.submit("/password/forgot", {"email": "ghost@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert Outbox.select().count() == 1 and "mika@example.com" in Outbox.get().to_address


def test_at_most_three_reset_mails_an_hour(mika, client):
    for _ in range(5):
        response = client.submit("/password/forgot", {"email": "mika@example.com"})
        assert response.status_code == 302  # the same answer every time
    assert Outbox.select().count() == 3


def test_the_link_sets_a_new_password_once(mika, client, app):
    client.submit("/password/forgot", {"email": "mika@example.com"})
    link = _link()
    assert client.get(link).status_code == 200
    short = client.submit(link, {"password": "short", "confirm": "short"})
    assert short.status_code == 400 and "at least 8" in short.get_data(as_text=True)
    done = client.submit(link, {"password": "a new secret!", "confirm": "a new secret!"})
    assert done.status_code == 302
    again = client.submit(link, {"password": "another one!", "confirm": "another one!"})
    assert again.status_code == 400 and "already used" in again.get_data(as_text=True)
    fresh = app.test_client()
    assert fresh.submit("/login", {"email": "mika@example.com",
                                   "password": "a new secret!"}).status_code == 302


def test_a_reset_signs_out_other_sessions(mika, app, client, login):
    login("mika@example.com")
    services.request_password_reset("mika@example.com")
    other = app.test_client()
    other.submit(_link(), {"password": "a new secret!", "confirm": "a new secret!"})
    page = client.get("/kb/").get_data(as_text=True)
    assert "mika@example.com" not in page


def test_tampered_and_expired_links_are_refused(mika, client, monkeypatch):
    client.submit("/password/forgot", {"email": "mika@example.com"})
    link = _link()
    assert client.get(link[:-3] + "abc").status_code == 400
    monkeypatch.setattr(services, "RESET_MAX_AGE", -1)
    assert client.get(link).status_code == 400


def test_preferences(mika, client, login):
    login("mika@example.com")
    client.submit("/account", {"locale": "ja", "timezone": "Europe/Paris"})
    from portal.accounts.models import User

    user = User.get(User.email == "mika@example.com")
    assert (user.locale, user.timezone, user.notify_own) == ("ja", "Europe/Paris", False)
    bad = client.submit("/account", {"locale": "ja", "timezone": "Mars/Base"})
    assert bad.status_code == 200 and User.get_by_id(user.id).timezone == "Europe/Paris"


def test_admins_see_unsent_mail_with_its_error(app, client, login):
    factories.user("root@help.example", role="admin")
    Outbox.create(to_address="x@example.com", subject="Stuck", text_body="b",
                  message_id="<m1@help.example>", attempts=3, last_error="Connection refused")
    login("root@help.example")
    html = client.get("/admin/outbox").get_data(as_text=True)
    assert "Stuck" in html and "Connection refused" in html
    factories.user("agent@help.example", role="agent")
    agent = app.test_client()
    agent.submit("/login", {"email": "agent@help.example", "password": factories.PASSWORD})
    assert agent.get("/admin/outbox").status_code == 404
