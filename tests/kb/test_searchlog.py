"""Each search and suggestion request is logged once per search, with how it ended."""

import sqlite3
import time
from datetime import timedelta

import pytest

from portal import clock
from portal.kb import searchlog, tracking
from portal.kb.models import SearchLog
from portal.kb.searchlog import Outcome, Recorder, Searched
from tests import factories
from tests.conftest import only_sqlite

HTMX = {"HX-Request": "true"}


@pytest.fixture
def articles(app):
    return (factories.article("Invoice is missing", "Where to find your monthly invoice."),
            factories.article("Password reset", "How to reset your password."),
            factories.article("請求書の再発行", "請求書を再発行する方法です。", language="ja"))


def visitor(app):
    """A browser that has loaded a page (so it keeps a session, as every browser does)."""
    client = app.test_client()
    client.get("/kb/")
    return client


def rows(app) -> list[SearchLog]:
    tracking.recorder(app).flush()
    return list(SearchLog.select().order_by(SearchLog.id))


def test_a_visitor_search_is_recorded_normalized_and_without_a_user(app, client, articles):
    invoice = articles[0]
    client.get("/kb/search?q=ＩＮＶＯＩＣＥ　missing")  # full-width, as an IME types it
    [row] = rows(app)
    assert (row.source, row.query, row.language) == ("search", "invoice missing", "en")
    assert row.results == 1 and row.top_article_id == invoice.id
    assert row.user_id is None and row.visitor  # a random id in the browser's session
    assert not (row.clicked or row.answered or row.filed)
    with client.session_transaction() as session:
        assert session[tracking.SESSION_KEY] == row.visitor and "voter" not in session


def test_the_log_keeps_kana_as_typed_for_staff_to_read(app, client, articles):
    client.get("/kb/search?q=請求書が届かない")
    [row] = rows(app)
    assert row.query == "請求書が届かない"  # not the index's folded 請求書ガ届カナイ


def test_nothing_is_written_on_the_request_path(app, articles):
    visitor(app).get("/kb/suggest?q=invoice")
    assert SearchLog.select().count() == 0 and tracking.recorder(app).pending() == 1
    assert len(rows(app)) == 1


def test_a_search_that_finds_nothing_has_no_top_article(app, articles):
    visitor(app).get("/kb/suggest?q=zzqxj", headers=HTMX)
    [row] = rows(app)
    assert (row.source, row.results, row.top_article_id, row.shown) == ("suggest", 0, None, "")


def test_typing_makes_one_row_and_another_query_a_new_one(app, articles):
    client = visitor(app)
    for q in ("inv", "invo", "invoice", "invoice m", "invoice"):  # typing, then deleting
        client.get(f"/kb/suggest?q={q}", headers=HTMX)
    client.get("/kb/suggest?q=password", headers=HTMX)
    got = rows(app)
    # "invoice" also finds 請求書 (the synonyms bridge the two languages).
    assert [(r.query, r.results) for r in got] == [("invoice", 2), ("password", 1)]
    assert got[0].visitor == got[1].visitor


def test_two_visitors_are_two_rows(app, articles):
    for _ in range(2):
        visitor(app).get("/kb/suggest?q=invoice")
    first, second = rows(app)
    assert first.visitor != second.visitor


def test_a_pause_ends_a_search(app, articles):
    client = visitor(app)
    start = clock.now()
    try:
        clock.freeze(start)
        client.get("/kb/suggest?q=invoice")
        clock.freeze(start + searchlog.SESSION_GAP + timedelta(seconds=1))
        client.get("/kb/suggest?q=invoice missing")
    finally:
        clock.freeze(None)
    assert len(rows(app)) == 2


def test_a_client_that_keeps_no_cookie_is_not_logged(app, articles):
    """Without a session nothing ties one keystroke to the next (scripts, crawlers)."""
    client = app.test_client(use_cookies=False)
    for q in ("inv", "invo", "invoice"):
        assert "Invoice is missing" in client.get(f"/kb/suggest?q={q}").text or q != "invoice"
    assert rows(app) == []


def test_a_new_browser_is_logged_from_its_first_search_page(app, articles):
    app.test_client().get("/kb/search?q=invoice")  # a link from elsewhere: no session yet
    assert len(rows(app)) == 1


def test_a_signed_in_reader_is_recorded_by_user(app, client, login, articles):
    user = factories.user("alice@example.com")
    login("alice@example.com")
    client.get("/kb/suggest?subject=Invoice&description=")
    [row] = rows(app)
    assert row.user_id == user.id and row.visitor is None
    with client.session_transaction() as session:
        assert tracking.SESSION_KEY not in session


def test_a_click_on_a_shown_article_is_recorded(app, client, articles):
    invoice, password, _ = articles
    client.get("/kb/search?q=invoice")
    client.get("/kb/search?q=password")
    client.submit(f"/kb/{invoice.slug}/viewed")  # the article page's beacon
    got = rows(app)
    assert [(r.query, r.clicked) for r in got] == [("invoice", True), ("password", False)]


def test_an_article_the_search_did_not_show_is_no_click(app, client, articles):
    client.get("/kb/search?q=invoice")
    client.submit(f"/kb/{articles[1].slug}/viewed")
    assert not rows(app)[0].clicked


def test_a_visitor_who_never_searched_leaves_nothing(app, client, articles):
    client.submit(f"/kb/{articles[0].slug}/viewed")
    client.submit(f"/kb/{articles[0].slug}/feedback", {"helpful": "yes"})
    assert rows(app) == [] and tracking.recorder(app).pending() == 0


def test_yes_under_a_found_article_is_answered(app, client, articles):
    client.get("/kb/search?q=請求書", headers={"Accept-Language": "ja"})
    client.submit(f"/kb/{articles[2].slug}/feedback", {"helpful": "yes"})
    [row] = rows(app)
    assert row.answered and row.language == "ja" and row.query == "請求書"


def test_no_under_a_found_article_is_not_answered(app, client, articles):
    client.get("/kb/search?q=invoice")
    client.submit(f"/kb/{articles[0].slug}/feedback", {"helpful": "no"})
    assert not rows(app)[0].answered


def test_answered_from_the_request_form(app, client, login, articles):
    factories.user("alice@example.com")
    login("alice@example.com")
    client.get("/kb/suggest?subject=invoice&description=", headers=HTMX)
    client.submit(f"/kb/{articles[0].slug}/answered", {"q": "invoice"})
    [row] = rows(app)
    assert row.answered and row.source == "suggest"


def test_a_ticket_filed_after_the_suggestions_is_recorded(app, client, login, articles):
    factories.user("alice@example.com")
    login("alice@example.com")
    client.get("/kb/suggest?subject=printer&description=", headers=HTMX)
    client.get("/kb/suggest?subject=printer on fire&description=", headers=HTMX)
    response = client.submit("/tickets/new", {"type": "question", "severity": "3",
                                              "subject": "Printer on fire",
                                              "description": "Smoke everywhere."})
    assert response.status_code == 302
    [row] = rows(app)
    assert row.filed and row.query == "printer on fire" and row.results == 0


def test_a_ticket_long_after_a_search_is_not_its_outcome(app, articles):
    user = factories.user()
    old = clock.now() - searchlog.OUTCOME_WINDOW - timedelta(minutes=1)
    searchlog.write([Searched("suggest", "printer", "en", (), user.id, None, old)])
    assert searchlog.write([Outcome("filed", user.id, None, None, clock.now())])  # unmatched
    assert not SearchLog.get().filed


def test_a_ticket_from_mail_or_the_command_line_is_ignored(app, articles):
    user = factories.user()
    searchlog.write([Searched("suggest", "printer", "en", (), user.id, None, clock.now())])
    factories.ticket(user)  # no request: nothing to tie it to
    assert tracking.recorder(app).pending() == 0 and not SearchLog.get().filed


def test_an_outcome_that_arrives_before_its_search_is_tried_again(app, articles):
    recorder = Recorder(background=False)
    now = clock.now()
    recorder.add(Outcome("clicked", None, "browser-1", articles[0].id, now))
    recorder.flush()  # another worker still holds the search
    assert recorder.pending() == 1
    recorder.add(Searched("search", "invoice", "en", (articles[0].id,), None, "browser-1",
                          now - timedelta(seconds=2)))
    recorder.flush()
    assert SearchLog.get().clicked and recorder.pending() == 0


def test_an_outcome_that_never_finds_its_search_is_dropped(app):
    recorder = Recorder(background=False)
    recorder.add(Outcome("clicked", None, "nobody", 1, clock.now()))
    for _ in range(searchlog.RETRIES):
        recorder.flush()
    assert recorder.pending() == 0


def test_queries_are_kept_short(app):
    searchlog.write([Searched("suggest", "ａ" * 5000, "en", (), None, "v", clock.now())])
    assert SearchLog.get().query == "a" * searchlog.MAX_QUERY


def test_the_writer_thread_writes_what_requests_queued(app, articles):
    recorder = Recorder(background=True)
    app.extensions["search_log"] = recorder
    try:
        visitor(app).get("/kb/suggest?q=invoice")
        deadline = time.monotonic() + 10
        while recorder.pending() and time.monotonic() < deadline:
            time.sleep(0.05)
        recorder.stop()
    finally:
        recorder.stop()
    assert [r.query for r in SearchLog.select()] == ["invoice"]


@only_sqlite
def test_a_suggestion_never_waits_for_the_write_lock(app, articles):
    """Another writer holds SQLite's lock: the suggestion is answered at once, and its
    row is written once the lock is free."""
    recorder = Recorder(background=True)
    app.extensions["search_log"] = recorder
    client = visitor(app)
    holder = sqlite3.connect(app.config["DATABASE"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        response = client.get("/kb/suggest?q=invoice")
        took = time.monotonic() - started
        assert response.status_code == 200 and "Invoice is missing" in response.text
        assert took < 1.0  # the busy timeout is 15 s
        time.sleep(searchlog.FLUSH_SECONDS * 1.5)  # the writer now waits for the lock
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    deadline = time.monotonic() + 20
    while SearchLog.select().count() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    recorder.stop()
    assert SearchLog.select().count() == 1


def test_stop_ends_the_thread(app, articles):
    recorder = Recorder(background=True)
    recorder.add(Searched("search", "invoice", "en", (), None, "v", clock.now()))
    thread = recorder._thread
    recorder.stop()
    assert thread is not None and not thread.is_alive()
    assert SearchLog.select().count() == 1  # stop writes what was queued


def test_an_article_deleted_before_the_write_leaves_no_dangling_id(app, articles):
    from portal.kb import services

    gone = factories.article("Soon gone", "Deleted before the log is written.")
    event = Searched("search", "soon gone", "en", (gone.id, articles[0].id), None, "v",
                     clock.now())
    services.delete_article(gone)
    searchlog.write([event])
    row = SearchLog.get()
    assert row.top_article_id is None and row.results == 2
