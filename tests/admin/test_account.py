"""The profile at /account: name, and a password change that ends every other session."""

from portal.accounts.models import Audit, User
from tests import factories


def test_password_change_ends_every_other_session(people, app, client, login):
    other = app.test_client()
    other.submit("/login", {"email": "member@acme.example", "password": factories.PASSWORD})
    login("member@acme.example")
    response = client.submit("/account", {"action": "password",
                                          "current_password": factories.PASSWORD,
                                          "password": "brand new secret",
                                          "confirm": "brand new secret"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # this browser stays signed in
    assert other.get("/account").status_code == 302  # the other one is signed out
    assert app.test_client().submit("/login", {"email": "member@acme.example",
                                               "password": "brand new secret"}
                                    ).status_code == 302
    assert Audit.get(Audit.action == "password_change").actor_id == people["member"].id


def test_password_change_needs_the_current_password(people, client, login):
    login("member@acme.example")
    before = User.get_by_id(people["member"].id).password_hash
    response = client.submit("/account", {"action": "password", "current_password": "guess",
                                          "password": "brand new secret",
                                          "confirm": "brand new secret"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="current_password-error"' in page
    short = client.submit("/account", {"action": "password",
                                       "current_password": factories.PASSWORD,
                                       "password": "short", "confirm": "short"})
    assert short.status_code == 400 and 'id="password-error"' in short.get_data(as_text=True)
    assert User.get_by_id(people["member"].id).password_hash == before


def test_rename(people, client, login):
    login("member@acme.example")
    assert client.submit("/account", {"action": "profile", "name": "佐々木 花"}
                         ).status_code == 302
    assert User.get_by_id(people["member"].id).name == "佐々木 花"
    empty = client.submit("/account", {"action": "profile", "name": "  "})
    assert empty.status_code == 400 and 'id="name-error"' in empty.get_data(as_text=True)
    assert Audit.get(Audit.action == "update").detail["name"] == ["Test User", "佐々木 花"]


def test_preferences_still_save(people, client, login):
    login("member@acme.example")
    client.submit("/account", {"locale": "en", "timezone": "UTC"})
    assert User.get_by_id(people["member"].id).timezone == "UTC"
