"""The reader's pages: browsing, reading, searching live, suggestions, feedback."""

import re

from portal.kb.models import Article, ArticleFeedback
from tests import factories

HTMX = {"HX-Request": "true"}


def test_home_shows_search_popular_and_known_issues(demo, client):
    html = client.get("/").get_data(as_text=True)
    assert 'action="/kb/search"' in html
    assert "Known issues" in html and "Popular articles" in html
    assert "/kb/known-issue-mail-delay" in html


def test_kb_index_groups_by_category_and_marks_known_issues(demo, client):
    html = client.get("/kb/").get_data(as_text=True)
    assert "Billing" in html and "Account" in html
    assert ">アカウント<" not in html and ">請求・お支払い<" not in html  # one category per topic
    assert html.count('class="badge issue"') >= 3
    ja = client.get("/kb/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert ">アカウント<" in ja and ">Account<" not in ja


def test_article_page_with_related_articles(demo, client):
    html = client.get("/kb/sso-saml-setup").get_data(as_text=True)
    assert "SSO(SAML)の設定方法" in html
    related = html[html.index("Related articles"):]
    assert "/kb/sso-setup" in related


def test_drafts_are_not_found_by_customers(demo, client):
    assert client.get("/kb/upcoming-features").status_code == 404
    assert "upcoming-features" not in client.get("/kb/").get_data(as_text=True)


def test_search_page_and_its_fragment(demo, client):
    page = client.get("/kb/search?q=ログインできない")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<html" in html and "/kb/login-trouble" in html
    fragment = client.get("/kb/search?q=ログインできない", headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and "/kb/login-trouble" in fragment
    assert "<mark>" in fragment


def test_history_restore_gets_the_whole_page(demo, client):
    html = client.get("/kb/search?q=sso", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in html.get_data(as_text=True)


def test_search_says_when_nothing_matches(demo, client):
    html = client.get("/kb/search?q=zzqqxx").get_data(as_text=True)
    assert "No articles match" in html


def test_suggest_returns_at_most_five(demo, client):
    html = client.get("/kb/suggest?q=設定").get_data(as_text=True)
    assert "<html" not in html
    assert 0 < len(re.findall(r'<a href="/kb/', html)) <= 5
    assert client.get("/kb/suggest?q=").status_code == 200


def test_a_get_never_counts_a_view_but_the_page_post_does(demo, client):
    before = Article.get(Article.slug == "api-timeout").views
    client.get("/kb/api-timeout")
    assert Article.get(Article.slug == "api-timeout").views == before
    assert client.submit("/kb/api-timeout/viewed").status_code == 204
    assert Article.get(Article.slug == "api-timeout").views == before + 1


def test_feedback_once_per_person(demo, client):
    response = client.submit("/kb/api-timeout/feedback", {"helpful": "yes"}, headers=HTMX)
    assert "Thank you" in response.get_data(as_text=True)
    client.submit("/kb/api-timeout/feedback", {"helpful": "no"}, headers=HTMX)
    article = Article.get(Article.slug == "api-timeout")
    assert (article.helpful, article.not_helpful) == (1, 0)
    assert "Thank you" in client.get("/kb/api-timeout").get_data(as_text=True)
    other = client.application.test_client()
    other.submit("/kb/api-timeout/feedback", {"helpful": "no"})
    article = Article.get(Article.slug == "api-timeout")
    assert (article.helpful, article.not_helpful) == (1, 1)


def test_feedback_of_a_signed_in_user_counts_once_across_browsers(app, demo, client, login):
    factories.user("mika@example.com")
    login("mika@example.com")
    client.submit("/kb/api-timeout/feedback", {"helpful": "yes"})
    second = app.test_client()
    second.submit("/login", {"email": "mika@example.com", "password": factories.PASSWORD})
    second.submit("/kb/api-timeout/feedback", {"helpful": "yes"})
    assert ArticleFeedback.select().count() == 1


def test_feedback_without_js_redirects_and_bad_values_are_refused(demo, client):
    assert client.submit("/kb/api-timeout/feedback", {"helpful": "yes"}).status_code == 302
    assert client.submit("/kb/error-500/feedback", {"helpful": "maybe"}).status_code == 400
    assert client.post("/kb/error-500/feedback", data={"helpful": "yes"}).status_code == 400


def test_pages_render_in_japanese(demo, client):
    ja = {"Accept-Language": "ja"}
    assert "よく読まれている記事" in client.get("/", headers=ja).get_data(as_text=True)
    html = client.get("/kb/search?q=請求", headers=ja).get_data(as_text=True)
    assert "の検索結果" in html
    assert "この記事は役に立ちましたか" in client.get("/kb/error-500",
                                                headers=ja).get_data(as_text=True)
