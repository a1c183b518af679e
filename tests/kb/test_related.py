"""Related articles beside an article: shared words, the same category, never empty."""

from portal.kb import services
from tests import factories


def _titles(article) -> list[str]:
    return [hit.title for hit in services.related(article)]


def test_a_rare_shared_word_outweighs_a_common_one(app):
    factories.article("ログイン履歴を確認する", "本文", language="ja", category="y")
    # Newer (so first on a tie), and 場合 ("in case of") is in many titles.
    for i in range(8):
        factories.article(f"画面{i}が表示されない場合", "本文", language="ja", category=f"c{i}")
    login = factories.article("ログインできない場合", "本文", language="ja", category="x")
    assert _titles(login)[0] == "ログイン履歴を確認する"


def test_articles_of_the_same_category_come_first(app):
    page = factories.article("Exporting reports to CSV", "Body.", category="Reports")
    factories.article("CSV import limits", "Body.", category="Data")
    factories.article("Scheduling CSV reports", "Body.", category="Reports")
    assert _titles(page)[:2] == ["Scheduling CSV reports", "CSV import limits"]


def test_the_category_fills_the_list_when_few_articles_share_a_word(app):
    page = factories.article("Viewing the audit log", "Body.", category="Security")
    factories.article("Turning on two-factor authentication", "Body.", category="Security")
    factories.article("Unrelated draft", "Body.", category="Security", status="draft")
    factories.article("Changing your plan", "Body.", category="Billing")
    assert _titles(page) == ["Turning on two-factor authentication"]


def test_an_article_is_never_related_to_itself(app):
    page = factories.article("Password reset", "Body.", category="Account")
    factories.article("Password rules", "Body.", category="Account")
    assert "Password reset" not in _titles(page)
