"""PostgreSQL computes an article's tokens exactly as textforms does in Python."""

import pytest

from portal.db import db, is_postgres
from portal.kb import pgforms, search, services
from portal.kb.textforms import FORM_VERSION, index_form
from tests import factories
from tests.conftest import ON_POSTGRES

TRICKY = [
    "請求書が届かない", "ＳＳＯ Setup v2", "ｷｬﾝｾﾙ", "ろぐいん-できない サ-バ サ〜バー",
    "Crème brûlée ÉCOLE naïve", "invoice_2024-01 a_b", "データ-ベース 々 〆 〇 ゝゞ",
    "Straße", "mixedログインtext123です", "①②③ ㈱ ﾃｽﾄ", "tab\tnew\nline", "I'm can't",
    "a.b,c!d?", "x²³ ½ Ⅻ", "ｰｰｰ ーー", "𠮷野家 🎉 emoji", "かな・カナ「引用」（括弧）",
    "ゔぁいおりん ヴァイオリン", "Ünïcödé ĲSSEL Ωμέγα", "20,000円 3.5GB 10%",
]


def _tokens(vector: str) -> set[str]:
    return {lexeme.strip("'") for lexeme in vector.split()}


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's copy of index_form")
@pytest.mark.parametrize("text", TRICKY)
def test_the_server_makes_the_same_tokens_as_python(app, text):
    windows = {"_w11_0", "_w14_0"}
    body, title = db.execute_sql(
        f"SELECT {pgforms.BODY}::text, {pgforms.TITLE}::text FROM"  # noqa: S608
        " (SELECT 1 AS id, ? AS title, ? AS plain) AS article", (text, "本文 " + text)).fetchone()
    assert _tokens(title) == set(index_form(text).split()) | windows
    assert _tokens(body) == (set(index_form(text).split()) | set(index_form("本文 " + text).split())
                             | windows)


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's expression indexes")
def test_search_uses_the_indexes_and_no_stored_vector(app):
    assert "article_fts" not in db.get_tables()
    db.execute_sql(
        "INSERT INTO article (slug, title, body, body_html, plain, kind, language, status,"
        " created_at, updated_at) SELECT 'a' || i, 'ログイン ' || i, 'x', 'x', '本文 ' || i,"
        " 'faq', 'ja', 'published', now(), now() FROM generate_series(1, 3000) AS i")
    db.execute_sql("ANALYZE article")
    for vector, index in ((pgforms.BODY, pgforms.BODY_INDEX),
                          (pgforms.TITLE, pgforms.TITLE_INDEX)):
        plan = db.execute_sql(
            "EXPLAIN SELECT id FROM article WHERE status = 'published'"  # noqa: S608
            f" AND {vector} @@ ?::tsquery", ("'ログ' & 'イン'",)).fetchall()
        assert index in " ".join(row[0] for row in plan)


def test_an_index_of_another_form_is_rebuilt_by_init(app):
    from portal.bootstrap import prepare

    article = factories.article("ろぐいんの手順", "手順です", language="ja")
    assert [h.id for h in search.search("ログイン", "ja")[0]] == [article.id]
    # As an earlier release left it: no folding in the index, another form recorded.
    if is_postgres():
        db.execute_sql(f"COMMENT ON INDEX {pgforms.BODY_INDEX} IS 'old'")
        db.execute_sql(f"DROP INDEX {pgforms.TITLE_INDEX}")
    else:
        search.unindex_article(article.id, article.title, article.plain)
        db.execute_sql("INSERT INTO article_fts (rowid, text) VALUES (?, ?)",
                       (article.id, "ろぐ ぐい いん んの の手 手順 順"))
        db.execute_sql("INSERT INTO article_title_fts (rowid, title) VALUES (?, ?)",
                       (article.id, "ろぐ ぐい いん んの の手 手順 順"))
        db.execute_sql("PRAGMA user_version = 1")
        assert search.search("ログイン", "ja")[0] == []
    prepare()
    assert [h.id for h in search.search("ログイン", "ja")[0]] == [article.id]
    assert search.follow_form() is False  # now current: nothing to do
    if not is_postgres():
        assert db.execute_sql("PRAGMA user_version").fetchone()[0] == FORM_VERSION
    assert services.reindex() == 1
