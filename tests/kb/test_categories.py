"""One category per topic, named in each language; the index and the category pages."""

import re

import pytest

from portal.db import db
from portal.errors import NotFound
from portal.kb import services
from portal.kb.models import Article, Category
from tests import factories

JA = {"Accept-Language": "ja"}


def test_an_article_in_either_language_joins_the_same_category(app):
    services.ensure_category("account", "アカウント", "Account")
    ja = factories.article("パスワードの変更", language="ja", category="アカウント")
    en = factories.article("Changing your password", language="en", category="Account")
    assert ja.category_id == en.category_id
    category = Category.get_by_id(ja.category_id)
    assert (category.count_ja, category.count_en) == (1, 1)
    assert category.name("ja") == "アカウント" and category.name("en") == "Account"


def test_a_new_name_makes_a_category_named_in_the_articles_language(app):
    article = factories.article("VPN が切断される", language="ja", category="ネットワーク")
    category = Category.get_by_id(article.category_id)
    assert (category.name_ja, category.name_en) == ("ネットワーク", "")
    assert category.name("en") == "ネットワーク"  # the other name stands in


def test_counts_follow_publishing_moving_and_deleting(app):
    article = factories.article("Two-factor sign-in", category="Security", status="draft")
    security = Category.get_by_id(article.category_id)
    assert security.count == 0
    services.set_status(article, "published")
    assert Category.get_by_id(security.id).count_en == 1
    data = services.as_input(Article.get_by_id(article.id))
    data.category = "Sign-in"
    moved = services.save_article(data, article=Article.get_by_id(article.id))
    assert Category.get_by_id(security.id).count_en == 0
    assert Category.get_by_id(moved.category_id).count_en == 1
    services.delete_article(Article.get_by_id(article.id))
    assert Category.get_by_id(moved.category_id).count_en == 0


def test_naming_a_category_after_another_merges_them(app):
    ja = factories.article("請求書の再発行", language="ja", category="請求")
    en = factories.article("Reissuing an invoice", language="en", category="Billing")
    kept = services.rename_category(Category.get_by_id(ja.category_id), "請求", "Billing")
    assert Category.select().count() == 1
    assert Article.get_by_id(en.id).category_id == kept.id
    assert (kept.count_ja, kept.count_en) == (1, 1)


def test_index_puts_the_readers_language_first_and_marks_the_other(app, client):
    services.ensure_category("account", "アカウント", "Account")
    factories.article("パスワードの変更", language="ja", category="アカウント")
    factories.article("Changing your password", language="en", category="Account")
    html = client.get("/kb/", headers=JA).get_data(as_text=True)
    card = html[html.index(">アカウント<"):]
    assert card.index("パスワードの変更") < card.index("Changing your password")
    assert re.search(r'Changing your password</a> <span class="badge lang" lang="en">', card)
    assert "2 件" in card
    en = client.get("/kb/").get_data(as_text=True)
    card = en[en.index(">Account<"):]
    assert card.index("Changing your password") < card.index("パスワードの変更")


def test_known_issues_put_the_readers_language_first(app, client):
    factories.article("Mail delays", language="en", kind="known_issue")
    factories.article("メール遅延", language="ja", kind="known_issue")
    html = client.get("/kb/", headers=JA).get_data(as_text=True)
    known = html[html.index('class="known"'):]
    assert known.index("メール遅延") < known.index("Mail delays")


def test_category_page_is_paginated_and_takes_slug_or_id(app, client):
    services.ensure_category("reports", "レポート", "Reports")
    for i in range(55):
        factories.article(f"Report {i:02d}", category="Reports")
    factories.article("月次レポート", language="ja", category="レポート")
    factories.article("Hidden draft", category="Reports", status="draft")
    category = Category.get(Category.slug == "reports")
    first = client.get("/kb/category/reports").get_data(as_text=True)
    assert len(re.findall(r'<li><a href="/kb/', first)) == 50
    assert "月次レポート" not in first and 'href="/kb/category/reports?page=2"' in first
    second = client.get(f"/kb/category/{category.id}?page=2").get_data(as_text=True)
    assert len(re.findall(r'<li><a href="/kb/', second)) == 6
    assert "月次レポート" in second and "Hidden draft" not in second
    ja = client.get("/kb/category/reports", headers=JA).get_data(as_text=True)
    assert ja.index("月次レポート") < ja.index("Report ")
    assert client.get("/kb/category/nothing-here").status_code == 404
    with pytest.raises(NotFound):
        services.category_by_key("999999")


def test_the_index_costs_the_same_queries_whatever_the_article_count(app, client, monkeypatch):
    seen = []
    kind = type(db.obj)
    original = kind.execute_sql
    monkeypatch.setattr(kind, "execute_sql",
                        lambda self, sql, params=None: seen.append(sql) or original(self, sql,
                                                                                     params))

    def queries() -> int:
        seen.clear()
        assert client.get("/kb/").status_code == 200
        return len(seen)

    for i in range(3):
        factories.article(f"Article {i}", category="Topic")
    few = queries()
    for i in range(40):
        factories.article(f"More {i}", category="Topic", kind="known_issue")
    assert queries() == few


def test_staff_name_categories_customers_cannot(app, client, login):
    article = factories.article("VPN drops", category="Network")
    factories.user("mika@example.com")
    login("mika@example.com")
    category_id = article.category_id
    form = {"name_ja": "ネットワーク", "name_en": "Network"}
    assert client.get("/staff/kb/categories").status_code == 404
    assert client.submit(f"/staff/kb/categories/{category_id}", form).status_code == 404
    assert Category.get_by_id(category_id).name_ja == ""
    factories.user("agent@example.com", role="agent")
    login("agent@example.com")
    assert "Network" in client.get("/staff/kb/categories").get_data(as_text=True)
    assert client.submit(f"/staff/kb/categories/{category_id}", form).status_code == 302
    assert Category.get_by_id(category_id).name_ja == "ネットワーク"
    assert client.submit(f"/staff/kb/categories/{category_id}",
                         {"name_ja": "", "name_en": ""}).status_code == 302
    assert Category.get_by_id(category_id).name_en == "Network"  # refused, kept


def test_import_accepts_either_languages_name(app, runner, tmp_path):
    services.ensure_category("account", "アカウント", "Account")
    for name, lang, category in (("a.md", "ja", "アカウント"), ("b.md", "en", "Account")):
        (tmp_path / name).write_text(f"---\ntitle: T {name}\nkind: faq\nlanguage: {lang}\n"
                                     f"category: {category}\nstatus: published\n---\nBody\n",
                                     encoding="utf-8")
    assert runner.invoke(args=["import-articles", str(tmp_path)]).exit_code == 0
    assert Category.select().count() == 1
    assert Category.get().count == 2
