"""/staff/kb/gaps: the queries customers could not answer, and a draft for each."""

from datetime import timedelta

import pytest

from portal import clock
from portal.kb import gaps, searchlog
from portal.kb.models import SearchLog
from portal.kb.searchlog import Outcome, Searched
from tests import factories


@pytest.fixture
def staff(app):
    return factories.user("agent@support.example", role="agent", locale="en")


@pytest.fixture
def logged(app):
    """A month of searches: found nothing, found but unread, found and read."""
    invoice = factories.article("Invoice is missing", "Where to find your invoice.")
    now = clock.now()
    events = []
    for i in range(3):
        events.append(Searched("search", "vpn setup", "en", (), None, f"v{i}", now))
    events.append(Searched("suggest", "ＶＰＮ  Setup", "en", (), None, "v9", now))
    events.append(Searched("suggest", "二段階認証", "ja", (), None, "v3", now))
    for i in range(2):
        events.append(Searched("search", "invoice", "en", (invoice.id,), None, f"w{i}", now))
    events.append(Searched("search", "invoice pdf", "en", (invoice.id,), None, "x", now))
    events.append(Outcome("clicked", None, "x", invoice.id, now))
    events.append(Searched("search", "old question", "en", (), None, "y",
                           now - timedelta(days=40)))
    searchlog.write(events)
    return invoice


def test_the_lists(logged):
    report = gaps.report(clock.now(), 30)
    assert [(g.query, g.language, g.searches) for g in report["no_results"]] == [
        ("vpn setup", "en", 4), ("二段階認証", "ja", 1)]
    assert [(g.query, g.searches) for g in report["not_clicked"]] == [("invoice", 2)]
    assert [g.query for g in gaps.report(clock.now(), 90)["no_results"]][-1] == "old question"


def test_answered_is_not_a_gap_and_tickets_are_counted(logged):
    user = factories.user()
    now = clock.now()
    searchlog.write([Searched("suggest", "invoice", "en", (logged.id,), user.id, None, now),
                     Outcome("answered", user.id, None, logged.id, now),
                     Searched("suggest", "vpn setup", "en", (), user.id, None, now),
                     Outcome("filed", user.id, None, None, now)])
    report = gaps.report(now, 30)
    assert report["not_clicked"][0].searches == 2  # the answered one is not counted
    assert report["no_results"][0].tickets == 1


def test_staff_see_the_page_with_a_period(logged, staff, client, login):
    login(staff.email)
    html = client.get("/staff/kb/gaps").get_data(as_text=True)
    assert "What customers could not find" in html
    assert "vpn setup" in html and "二段階認証" in html and "invoice" in html
    assert "invoice pdf" not in html and "old question" not in html
    assert '<option value="30" selected>' in html
    assert "/staff/kb/new?gap=vpn+setup&amp;language=en" in html
    assert "old question" in client.get("/staff/kb/gaps?days=90").get_data(as_text=True)
    assert "old question" not in client.get("/staff/kb/gaps?days=5000").get_data(as_text=True)


def test_the_page_in_japanese(logged, app, client, login):
    factories.user("jp@support.example", role="agent", locale="ja")
    login("jp@support.example")
    html = client.get("/staff/kb/gaps", headers={"Accept-Language": "ja"}).get_data(
        as_text=True)
    assert "お客様が見つけられなかったもの" in html and "記事を書く" in html


def test_an_empty_log(staff, client, login):
    login(staff.email)
    html = client.get("/staff/kb/gaps").get_data(as_text=True)
    assert html.count("Nothing in this period.") == 2


def test_customers_and_visitors_are_refused(logged, client, login):
    assert client.get("/staff/kb/gaps").status_code == 302  # to sign in
    factories.user("alice@example.com")
    login("alice@example.com")
    assert client.get("/staff/kb/gaps").status_code == 404


def test_the_article_list_links_the_page(staff, client, login):
    login(staff.email)
    assert 'href="/staff/kb/gaps"' in client.get("/staff/kb/").get_data(as_text=True)


def test_write_an_article_fills_a_draft(staff, client, login):
    login(staff.email)
    html = client.get("/staff/kb/new?gap=vpn+setup+fails&language=en").get_data(as_text=True)
    assert 'name="title" value="Vpn setup fails"' in html
    assert "## Symptoms" in html and "## What to do" in html
    assert '<option value="en" selected' in html.split('id="language"')[1]
    ja = client.get("/staff/kb/new?gap=二段階認証&language=ja").get_data(as_text=True)
    assert 'value="二段階認証"' in ja and "## 症状" in ja and "## 対処方法" in ja
    plain = client.get("/staff/kb/new").get_data(as_text=True)
    assert "## Symptoms" not in plain


def test_the_draft_is_saved_as_a_draft(staff, client, login):
    login(staff.email)
    form = {"title": "Vpn setup", "body": "## Symptoms\n", "kind": "faq", "language": "en",
            "status": "draft", "category": "", "slug": "", "product": ""}
    assert client.submit("/staff/kb/new", form).status_code == 302
    assert SearchLog.select().count() == 0


def test_a_long_query_makes_a_short_title():
    title = gaps.draft_title("how do i " + "really " * 20 + "end")
    assert len(title) <= gaps.TITLE_CHARS + 1 and title.endswith("…") and title[0] == "H"
    assert gaps.draft("x", "fr", "o").language == "ja"


def test_period_is_one_offered():
    assert [gaps.period(v) for v in ("7", "90", "", None, "12", "-1", "x")] == [
        7, 90, 30, 30, 30, 30, 30]
