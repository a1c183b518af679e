"""The bigram form of text and the parsing of queries."""

from portal.kb.textforms import content_terms, index_form, parse


def test_japanese_runs_become_bigrams_plus_their_last_character():
    assert index_form("請求書") == "請求 求書 書"
    assert index_form("障") == "障"


def test_latin_words_stay_whole_and_everything_is_folded():
    assert index_form("ＳＳＯ Setup v2") == "sso setup v2"
    assert index_form("ｷｬﾝｾﾙ") == index_form("キャンセル")


def test_mixed_text_is_split_by_script():
    # Hiragana is indexed as katakana (see the folding tests below).
    assert index_form("SSOの設定") == "sso ノ設 設定 定"


def test_query_words():
    words = {t.text: t for t in parse("ログインできない 請求 障 invo")}
    assert words["ログインデキナイ"].fts() == '"ログ グイ イン ンデ デキ キナ ナイ"'
    assert words["請求"].fts() == '"請求"'
    assert words["障"].fts() == '"障" *'
    assert words["invo"].fts() == '"invo" *'


def test_full_width_space_separates_words():
    assert [t.text for t in parse("請求\u3000障害")] == ["請求", "障害"]


def test_content_words_drop_hiragana_and_stop_words():
    assert [t.text for t in content_terms(parse("ログインできません"))] == ["ログイン"]
    assert [t.text for t in content_terms(parse("請求書が届かないのですが"))] == ["請求書", "届"]
    assert [t.text for t in content_terms(parse("how do I reset the password"))] == [
        "reset", "password"]


def test_fts_syntax_in_a_query_is_just_text():
    terms = parse('"sso" OR NEAR(a b) *')
    assert all('"' not in t.text for t in terms)


def test_hiragana_is_folded_into_katakana_in_index_and_query():
    assert index_form("ろぐいん") == index_form("ログイン")
    assert [t.text for t in parse("ろぐいん")] == ["ログイン"]


def test_dashes_typed_for_the_long_vowel_mark_are_unified():
    for typed in ("サ-バ", "サ－バ", "サ—バ", "サ〜バ", "ｻｰﾊﾞ"):
        assert index_form(typed) == index_form("サーバ"), typed
        assert [t.text for t in parse(typed)] == ["サーバ"], typed
    # A dash between Latin words still separates them.
    assert index_form("invoice-2") == "invoice 2"


def test_a_final_long_vowel_mark_is_optional_in_a_katakana_query():
    assert [t.text for t in parse("サーバー")] == ["サーバ"]
    assert [t.text for t in content_terms(parse("ユーザーが使えない"))] == ["ユーザ", "使"]


def test_hiragana_words_stay_function_words_after_folding():
    assert [t.text for t in content_terms(parse("ログインできません"))] == ["ログイン"]
    assert [t.text for t in content_terms(parse("らーめん"))] == []
