"""Search that finds Japanese and English, as customers type it."""

import re

import pytest

from portal.db import db
from portal.kb import pgforms, search, services
from portal.kb.models import Article
from portal.kb.textforms import normalize
from tests import factories
from tests.conftest import ON_POSTGRES


def slugs(query: str, language: str = "ja", limit: int = 5) -> list[str]:
    return [h.slug for h in search.search(query, language, limit)[0]]


@pytest.mark.parametrize("query, expected, within", [
    ("ログインできない", "login-trouble", 1),
    ("タイムアウト", "api-timeout", 1),
    ("請求", "invoice-not-received", 3),
    ("障害", "outage-tokyo-region", 1),
    ("障", "outage-tokyo-region", 2),
    ("ＳＳＯ", "sso-saml-setup", 1),
    ("ｷｬﾝｾﾙ", "cancel-contract", 1),
    ("invo", "download-invoices", 1),
    ("password", "reset-password", 2),
    ("SSO 設定", "sso-saml-setup", 1),
    ("ログインできません", "login-trouble", 1),
    ("請求書が届かないのですが", "invoice-not-received", 1),
])
def test_demo_articles_are_found(demo, query, expected, within):
    assert expected in slugs(query)[:within]


def test_reader_language_comes_first_but_the_other_is_not_hidden(demo):
    ja = search.search("SSO", "ja", 5)[0]
    en = search.search("SSO", "en", 5)[0]
    assert ja[0].language == "ja" and en[0].language == "en"
    assert {h.language for h in ja} == {h.language for h in en} == {"ja", "en"}


def test_title_holding_every_word_wins(app):
    factories.article("Billing overview", "Everything about billing and your invoice address.")
    factories.article("Invoice address", "Where invoices go.")
    assert slugs("invoice address", "en")[0] == "invoice-address"


def test_multi_word_query_needs_every_word(app):
    factories.article("Reset a password", "Use the reset link.")
    factories.article("Reset a device", "Hold the button.")
    assert slugs("reset password", "en") == ["reset-a-password"]


def test_long_text_keeps_its_rare_words(demo):
    paragraph = ("昨日から急にAPIの応答がなくなり、タイムアウトのエラーが出るようになりました。"
                 "設定は何も変えていません。どうすればよいでしょうか。")
    assert "api-timeout" in slugs(paragraph)[:3]


def test_short_japanese_queries_never_return_nothing_when_an_article_has_them(demo):
    """Every one- and two-character Japanese piece of every published title is found,
    and the articles holding it come first (a piece that is a word with synonyms, such
    as ログ, may bring articles holding a synonym after them)."""
    texts = {a.id: normalize(a.title + "\n" + a.plain)
             for a in Article.select().where(Article.status == "published")}
    pieces = set()
    for article in Article.select().where(Article.status == "published"):
        for run in re.findall(r"[\u3041-\u3096\u30a1-\u30fa\u30fc\u4e00-\u9fff]+",
                              normalize(article.title)):
            pieces.update(run[i:i + n] for n in (1, 2) for i in range(len(run) - n + 1))
    assert len(pieces) > 150
    for piece in sorted(pieces):
        hits = search.search(piece, "ja", 5)[0]
        assert hits, f"nothing found for {piece!r}"
        holds = [piece in texts[h.id] for h in hits]
        assert holds[0] and holds == sorted(holds, reverse=True), piece


def test_a_draft_never_appears(demo):
    assert "upcoming-features" not in slugs("新機能", limit=20)
    assert "upcoming-features" not in slugs("下書き", limit=20)


def test_edits_reach_search_at_once(app):
    article = factories.article("Printer setup", "Connect the printer.")
    assert slugs("printer", "en") == ["printer-setup"]
    data = services.as_input(article)
    data.title, data.body = "Scanner setup", "Connect the scanner."
    services.save_article(data, article=article)
    assert slugs("printer", "en") == []
    assert slugs("scanner", "en") == ["printer-setup"]
    services.set_status(article, "draft")
    assert slugs("scanner", "en") == []
    services.set_status(Article.get_by_id(article.id), "published")
    assert slugs("scanner", "en") == ["printer-setup"]
    services.delete_article(Article.get_by_id(article.id))
    assert slugs("scanner", "en") == []


def test_reindex_rebuilds_the_same_results(demo):
    before = {q: slugs(q) for q in ("請求", "SSO", "invo", "障")}
    assert services.reindex() >= 30
    assert {q: slugs(q) for q in before} == before


def test_no_match_and_empty_queries(demo):
    assert slugs("zzzzqqqq") == []
    assert slugs("") == []
    assert slugs("   ") == []
    assert slugs("!!! ???") == []


def test_a_long_japanese_word_matches_only_as_a_substring(app):
    # Both articles hold every bigram of ログイン, only one holds the word itself.
    factories.article("ログイン", "ログインの手順", language="ja", slug="real")
    factories.article("イングログ", "グイッとイン、ログ", language="ja", slug="scrambled")
    assert slugs("ログイン") == ["real"]


def test_snippets_mark_matches_and_escape_the_text(app):
    factories.article("Tags", "Use <b>bold</b> & the <script>x</script> invoice tag.")
    hit = search.search("invoice", "en", 1)[0][0]
    assert "<mark>invoice</mark>" in hit.snippet
    assert "<script>" not in hit.snippet and "<b>" not in hit.snippet


@pytest.mark.skipif(not ON_POSTGRES, reason="the windows of PostgreSQL's index")
def test_windows_give_exactly_the_newest_matches(app, monkeypatch):
    # Windows of 5-8, 13-16 and then 17-32 ids, so 60 articles cross several of them.
    monkeypatch.setattr(pgforms, "WINDOW_SHIFTS", (2, 4))
    for i in range(60):
        words = " ".join(w for w, every in (("common", 1), ("half", 2), ("rare", 13))
                         if i % every == 0)
        factories.article(f"Article {i} {words}", f"本文 {words}", language=("ja", "en")[i % 2])
    services.reindex()
    exprs = ["'common'", "'half'", "'rare'", "'comm':*", "'本文' & 'half'", "'nothing'"]
    for table, vector in (("article_fts", pgforms.BODY), ("article_title_fts", pgforms.TITLE)):
        for cap in (1, 3, 7, 20, 100):
            for expr in exprs:
                expected = db.execute_sql(
                    f"SELECT id, language FROM article WHERE status = 'published'"  # noqa: S608
                    f" AND {vector} @@ ?::tsquery ORDER BY id DESC LIMIT ?",
                    (expr, cap)).fetchall()
                found = search._pg_match(table, expr, cap)
                assert [(rid, lang) for rid, _, lang, *_ in found] == expected, (
                    expr, table, cap)
            assert search._counts(table, exprs, cap) == [
                len(search._match(table, e, cap=cap)) for e in exprs]


def test_a_paragraphs_word_counts_are_kept_until_an_article_changes(app, monkeypatch):
    factories.article("ログインできない", "パスワードとエラーと管理画面と認証コードの話です。",
                      language="ja")
    text = ("管理画面にログインできません。パスワードを変更していません。認証コードを入れると"
            "エラーになります。アカウントはロックされていません。")
    asked = []
    counts = search._counts
    monkeypatch.setattr(search, "_counts", lambda *a: asked.append(a[1]) or counts(*a))
    first = search.search(text, "ja", 5)[0]
    assert asked and first
    asked.clear()
    assert search.search(text, "ja", 5)[0] == first and asked == []  # counted once
    factories.article("別の記事", "管理画面の話です。", language="ja")
    search.search(text, "ja", 5)
    assert asked  # an article changed: counted again
