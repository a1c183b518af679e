"""A "No" asks what was missing, keeps it for the writers, and offers support."""

from portal.kb.models import Article, ArticleFeedback

HTMX = {"HX-Request": "true"}


def test_a_no_asks_what_was_missing_and_stores_it(demo, client):
    first = client.submit("/kb/api-timeout/feedback", {"helpful": "no"}, headers=HTMX)
    html = first.get_data(as_text=True)
    assert 'name="comment"' in html
    assert "/tickets/new?article=api-timeout" in html
    second = client.submit("/kb/api-timeout/feedback",
                           {"helpful": "no", "comment": "No example for Python"}, headers=HTMX)
    assert "Thank you" in second.get_data(as_text=True)
    vote = ArticleFeedback.get()
    assert (vote.helpful, vote.comment) == (0, "No example for Python")
    assert Article.get(Article.slug == "api-timeout").not_helpful == 1  # still one vote


def test_without_javascript_the_question_comes_after_the_redirect(demo, client):
    answer = client.submit("/kb/api-timeout/feedback", {"helpful": "no"})
    assert answer.status_code == 302 and "missing=no" in answer.headers["Location"]
    assert 'name="comment"' in client.get(answer.headers["Location"]).get_data(as_text=True)


def test_a_yes_cannot_carry_a_comment(demo, client):
    client.submit("/kb/api-timeout/feedback", {"helpful": "yes", "comment": "spam"})
    assert ArticleFeedback.get().comment == ""


def test_contact_support_names_the_article(demo, client, login):
    login("suzuki@acme.example", "demo-pass-2026")
    html = client.get("/tickets/new?article=api-timeout&about=API+timeouts").get_data(
        as_text=True)
    assert "API timeouts" in html and "/kb/api-timeout" in html
    bad = client.get("/tickets/new?article=../../x&about=Zzz").get_data(as_text=True)
    assert "I read the article" not in bad and "the article" not in bad.split("<textarea")[1]


def test_no_result_page_links_categories_and_the_request_form(demo, client):
    html = client.get("/kb/search?q=zzzqqqxxx").get_data(as_text=True)
    assert 'href="/kb/"' in html and "/tickets/new?subject=zzzqqqxxx" in html


def test_writers_see_what_readers_missed(demo, client, login):
    client.submit("/kb/api-timeout/feedback", {"helpful": "no"})
    client.submit("/kb/api-timeout/feedback",
                  {"helpful": "no", "comment": "<i>No example</i> for Python"})
    login("agent@madoguchi.example", "demo-pass-2026")
    article = Article.get(Article.slug == "api-timeout")
    html = client.get(f"/staff/kb/{article.id}/edit").get_data(as_text=True)
    assert "&lt;i&gt;No example&lt;/i&gt; for Python" in html
