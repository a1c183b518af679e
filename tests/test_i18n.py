"""Japanese and English: negotiation, the switch, the catalogs, times."""

import re
from datetime import datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from portal.accounts.models import User
from tests import factories

CATALOGS = Path(__file__).resolve().parent.parent / "portal" / "translations"


def _lang(response) -> str:
    return re.search(r'<html lang="(\w+)"', response.get_data(as_text=True)).group(1)


def test_default_locale_is_japanese(client):
    page = client.get("/kb/", headers={"Accept-Language": ""})
    assert _lang(page) == "ja"
    assert "ナレッジベース" in page.get_data(as_text=True)


def test_accept_language_is_honoured(client):
    page = client.get("/kb/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert _lang(page) == "en"
    assert "Knowledge base" in page.get_data(as_text=True)
    assert _lang(client.get("/kb/", headers={"Accept-Language": "fr, ja;q=0.5"})) == "ja"


def test_configured_default_applies_when_nothing_else_says(tmp_path):
    from tests.conftest import make_app

    app = make_app(tmp_path, DEFAULT_LOCALE="en")
    assert _lang(app.test_client().get("/kb/", headers={"Accept-Language": ""})) == "en"


def test_switch_is_remembered_by_the_browser(client):
    response = client.submit("/language", {"locale": "en", "next": "/kb/"})
    assert response.status_code == 302 and response.headers["Location"] == "/kb/"
    assert _lang(client.get("/kb/", headers={"Accept-Language": "ja"})) == "en"


def test_switch_is_remembered_for_the_user_everywhere(app, client, login):
    user = factories.user("mika@example.com", locale="ja")
    login("mika@example.com")
    client.submit("/language", {"locale": "en"})
    assert User.get_by_id(user.id).locale == "en"
    other_browser = app.test_client()
    other_browser.submit("/login", {"email": "mika@example.com",
                                    "password": factories.PASSWORD})
    assert _lang(other_browser.get("/kb/", headers={"Accept-Language": "ja"})) == "en"


def test_switch_refuses_unknown_languages_and_gets(client):
    assert client.submit("/language", {"locale": "fr"}).status_code == 400
    assert client.get("/language?locale=en").status_code == 405


def test_switch_never_redirects_off_site(client):
    response = client.submit("/language", {"locale": "en", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("lang, text", [("ja", "ページが見つかりません"), ("en", "Page not found")])
def test_error_pages_speak_both_languages(client, lang, text):
    response = client.get("/no/such/page", headers={"Accept-Language": lang})
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)


def test_times_are_shown_in_the_users_zone(app, client, login):
    from portal.templating import local_time

    factories.user("mika@example.com", locale="en")
    with app.test_request_context():
        assert "9:00" in local_time(datetime(2026, 1, 5, 0, 0), "short")  # UTC 00:00 = JST 09:00
    user = User.get(User.email == "mika@example.com")
    user.timezone = "Europe/London"
    user.save()
    login("mika@example.com")
    assert "Europe/London" in client.get("/kb/").get_data(as_text=True)


def test_japanese_catalog_is_complete_and_current():
    """Every UI string has a Japanese translation and the compiled file is up to date."""
    with open(CATALOGS / "ja" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalog = read_po(fh, locale="ja")
    assert not catalog.fuzzy
    untranslated = [m.id for m in catalog if m.id and (m.fuzzy or not any(
        m.string if isinstance(m.string, tuple) else [m.string]))]
    assert untranslated == []
    po = CATALOGS / "ja" / "LC_MESSAGES" / "messages.po"
    mo = CATALOGS / "ja" / "LC_MESSAGES" / "messages.mo"
    assert mo.stat().st_mtime >= po.stat().st_mtime - 1


def test_catalogs_hold_every_string_the_code_uses(tmp_path):
    """Extract the strings from code and templates now: none may be missing from ja."""
    from babel.messages.frontend import CommandLineInterface

    root = CATALOGS.parent.parent
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(root / "babel.cfg"),
                                "-k", "N_", "-k", "_l", "-o", str(pot), str(root)])
    with open(pot, "rb") as fh:
        extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    with open(CATALOGS / "ja" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    assert sorted(extracted - known) == []
