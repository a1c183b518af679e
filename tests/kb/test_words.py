"""Search that understands what customers mean: synonyms, spellings, slips, the other
language; and the staff page for synonyms."""

import pytest

from portal.db import db
from portal.kb import lexicon, search, services, slips, synonyms
from portal.kb.models import Article
from tests import factories

JA = {"Accept-Language": "ja"}


def slugs(query: str, language: str = "ja", limit: int = 5) -> list[str]:
    return [h.slug for h in search.search(query, language, limit)[0]]


# --- synonyms -------------------------------------------------------------------------

def test_a_synonym_finds_an_article_and_the_word_itself_ranks_first(app):
    factories.article("多要素認証を有効にする", "認証アプリを使います。", language="ja", slug="mfa")
    factories.article("二段階認証のよくある質問", "コードが届かない場合。", language="ja",
                      slug="exact")
    assert slugs("二段階認証") == ["exact", "mfa"]
    assert slugs("多要素認証") == ["mfa", "exact"]


def test_a_synonym_inside_a_sentence_is_found(app):
    factories.article("サーバーが立ち上がらない場合", "電源を確認します。", language="ja",
                      slug="boot")
    assert slugs("サーバーが起動しないのですが") == ["boot"]


def test_a_staff_group_takes_effect_at_once_without_reindexing(app):
    factories.article("Widget ordering", "Order widgets here.", slug="widgets")
    assert slugs("gizmo", "en") == []
    group = synonyms.add_group("widget, gizmo")
    assert slugs("gizmo", "en") == ["widgets"]
    synonyms.edit_group(group, "widget, gadget")
    assert slugs("gizmo", "en") == []
    assert slugs("gadget", "en") == ["widgets"]
    synonyms.delete_group(group)
    assert slugs("gadget", "en") == []


def test_every_worker_sees_a_change_within_a_second(app, monkeypatch):
    factories.article("Widget ordering", "Order widgets here.", slug="widgets")
    assert slugs("gizmo", "en") == []
    # Another worker adds a group: this process hears of it only through the revision.
    with db.atomic():
        synonyms.Synonym.create(words="widget\ngizmo")
        synonyms._revised()
    monkeypatch.setattr(lexicon, "CHECK_EVERY", 0.0)
    assert slugs("gizmo", "en") == ["widgets"]


def test_a_group_needs_two_words_that_can_be_searched(app):
    with pytest.raises(Exception, match="at least two"):
        synonyms.add_group("solo")
    with pytest.raises(Exception, match="no letters"):
        synonyms.add_group("ok, !!!")
    assert synonyms.parse_words("解約、退会,cancel\n Cancel ") == ["解約", "退会", "cancel"]


# --- spellings (表記ゆれ) ---------------------------------------------------------------

def test_a_query_typed_in_hiragana_finds_its_katakana_word(app):
    factories.article("ログインできない場合", "パスワードを確認します。", language="ja",
                      slug="login")
    assert slugs("ろぐいんできません") == ["login"]
    assert slugs("ぱすわーどをわすれた") == ["login"]


def test_okurigana_and_kanji_spellings_are_one_word(app):
    factories.article("オフィスの引っ越しに伴う住所変更", "手続きの流れ。", language="ja",
                      slug="move")
    factories.article("お問い合わせの受付時間", "平日のみです。", language="ja", slug="hours")
    assert slugs("引越し") == ["move"]
    assert slugs("問合せ 時間") == ["hours"]
    factories.article("二段階認証を有効にする", "設定します。", language="ja", slug="2fa")
    assert slugs("2段階認証") == ["2fa"]


def test_english_plurals_and_past_forms_find_the_word(app):
    factories.article("Download an invoice", "From the billing page.", slug="invoice")
    factories.article("Notification mail delay", "Some mail arrives late.", slug="delay")
    assert slugs("invoices", "en") == ["invoice"]
    assert slugs("delayed", "en") == ["delay"]


# --- slips ----------------------------------------------------------------------------

def test_a_slip_is_corrected_when_nothing_is_found(app):
    factories.article("ログインできない場合", "パスワードを確認します。", language="ja",
                      slug="login")
    factories.article("Download an invoice", "From the billing page.", slug="invoice")
    found = search.lookup("ログイソできない", "ja", 5)
    assert (found.suggestion, found.corrected) == ("ログインできない", True)
    assert [h.slug for h in found.hits] == ["login"]
    found = search.lookup("invocie", "en", 5)
    assert (found.suggestion, [h.slug for h in found.hits]) == ("invoice", ["invoice"])


def test_an_ime_slip_in_kanji_is_corrected(app):
    factories.article("二段階認証を有効にする", "認証アプリを使います。", language="ja",
                      slug="2fa")
    found = search.lookup("任証アプリ", "ja", 5)
    assert found.suggestion == "認証アプリ"
    assert [h.slug for h in found.hits] == ["2fa"]


def test_a_slip_among_found_words_puts_the_correction_first(app):
    factories.article("Download an invoice", "From the billing page.", slug="invoice")
    factories.article("Download the usage report", "As CSV.", slug="report")
    found = search.lookup("invocie download", "en", 5)
    assert found.suggestion == "invoice download" and found.corrected
    assert [h.slug for h in found.hits][:1] == ["invoice"]


def test_no_suggestion_for_words_that_are_found_or_unknown(app):
    factories.article("Download an invoice", "From the billing page.", slug="invoice")
    assert search.lookup("invoice", "en", 5).suggestion == ""
    assert search.lookup("zzqxj", "en", 5) == search.Found([], [])


def test_the_words_slips_are_corrected_to_follow_the_articles(app):
    article = factories.article("Download an invoice", "From the billing page.",
                                slug="invoice")
    assert slips.correction("invocie") == "invoice"
    services.set_status(article, "draft")
    assert slips.correction("invocie") is None
    services.set_status(Article.get_by_id(article.id), "published")
    assert slips.correction("invocie") == "invoice"
    assert services.reindex() == 1
    assert slips.correction("invocie") == "invoice"
    services.delete_article(Article.get_by_id(article.id))
    assert slips.correction("invocie") is None


def test_did_you_mean_on_the_search_page_and_in_suggestions(client):
    factories.article("ログインできない場合", "パスワードを確認します。", language="ja",
                      slug="login")
    page = client.get("/kb/search?q=ログイソ", headers=JA).get_data(as_text=True)
    assert "もしかして:" in page and "/kb/search?q=%E3%83%AD%E3%82%B0%E3%82%A4%E3%83%B3" in page
    assert 'href="/kb/login"' in page
    fragment = client.get("/kb/suggest?q=ログイソ").get_data(as_text=True)
    assert "Did you mean:" in fragment and 'href="/kb/login"' in fragment


# --- the other language ---------------------------------------------------------------

def test_japanese_finds_an_english_only_article(app):
    factories.article("Viewing the audit log", "Open Security.", slug="audit")
    assert slugs("監査ログ") == ["audit"]
    assert slugs("login できない") == []  # no article about it: nothing made up


def test_the_readers_own_words_come_first_then_the_other_language(app):
    factories.article("Storage quota exceeded", "Or upgrade your plan.", slug="quota")
    factories.article("プランのアップグレード", "即時に反映されます。", language="ja",
                      slug="plan")
    assert slugs("upgrade plan", "en") == ["quota", "plan"]
    factories.article("ログインできない場合", "確認します。", language="ja", slug="login")
    assert slugs("login できない")[:1] == ["login"]


# --- the staff page -------------------------------------------------------------------

def test_only_staff_may_see_or_change_synonyms(client, login):
    assert client.get("/staff/kb/synonyms").status_code == 302  # to sign in
    factories.user("cust@example.com")
    login("cust@example.com")
    assert client.get("/staff/kb/synonyms").status_code == 404
    assert client.submit("/staff/kb/synonyms/add", {"words": "a1, b1"}).status_code == 404
    assert synonyms.groups() == []


def test_staff_add_edit_and_delete_groups(client, login):
    factories.user("agent@example.com", role="agent")
    login("agent@example.com")
    page = client.get("/staff/kb/synonyms").get_data(as_text=True)
    assert "Search synonyms" in page and "ログイン, サインイン" in page
    response = client.submit("/staff/kb/synonyms/add", {"words": "widget, gizmo"})
    assert response.status_code == 302
    group = synonyms.groups()[0]
    assert group.word_list == ["widget", "gizmo"]
    assert "widget, gizmo" in client.get("/staff/kb/synonyms").get_data(as_text=True)
    client.submit(f"/staff/kb/synonyms/{group.id}", {"words": "widget, gadget",
                                                     "action": "save"})
    assert synonyms.group_by_id(group.id).word_list == ["widget", "gadget"]
    page = client.get("/staff/kb/synonyms").get_data(as_text=True)
    client.submit(f"/staff/kb/synonyms/{group.id}", {"words": "x", "action": "save"})
    page = client.get("/staff/kb/synonyms").get_data(as_text=True)
    assert "at least two words" in page
    client.submit(f"/staff/kb/synonyms/{group.id}", {"action": "delete"})
    assert synonyms.groups() == []
    assert client.submit("/staff/kb/synonyms/999999", {"action": "delete"}).status_code == 404
    ja = client.get("/staff/kb/synonyms", headers=JA).get_data(as_text=True)
    assert "検索の同義語" in ja


def test_an_article_holding_more_words_beats_one_in_my_language_holding_fewer(app):
    # No article holds all three words, so any word counts: the English article holds
    # two of them, the Japanese one only "api".
    english = factories.article("API requests time out", "Each API request has a timeout.")
    japanese = factories.article("API の料金", "API の利用料金について。", language="ja")
    slugs = [h.slug for h in search.search("api timeout quota", "ja", 5)[0]]
    assert slugs == [english.slug, japanese.slug]


def test_related_articles_still_prefer_the_readers_language(app):
    english = factories.article("API requests are slow", "Requests to the API are slow.")
    japanese = factories.article("API が遅い", "API の応答が遅い場合。", language="ja")
    other = factories.article("API の料金", "API の利用料金について。", language="ja")
    related = [h.slug for h in search.similar("API が遅い", "ja", exclude=japanese.id)]
    assert related.index(other.slug) < related.index(english.slug)
