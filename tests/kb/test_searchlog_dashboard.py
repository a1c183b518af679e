"""The dashboard's deflection figures read the search log."""

from datetime import timedelta

import pytest

from portal import clock
from portal.kb import searchlog
from portal.kb.searchlog import Outcome, Searched
from portal.staff import dashboard
from tests import factories


@pytest.fixture
def searches(app):
    article = factories.article("Invoice is missing", "Where to find your invoice.")
    user = factories.user()
    now = clock.now()
    searchlog.write([
        Searched("search", "nothing here", "en", (), None, "a", now),
        Searched("search", "invoice", "en", (article.id,), None, "b", now),
        Outcome("clicked", None, "b", article.id, now),
        Searched("suggest", "invoice", "ja", (article.id,), None, "c", now),
        Outcome("answered", None, "c", article.id, now),
        Searched("suggest", "printer", "en", (), user.id, None, now),
        Outcome("filed", user.id, None, None, now),
        Searched("search", "long ago", "en", (), None, "d", now - timedelta(days=31)),
    ])
    return now


def test_figures(searches):
    totals = dashboard.figures(searches)["searches"]
    assert (totals.searches, totals.no_result, totals.clicked, totals.answered,
            totals.filed) == (4, 2, 2, 1, 1)
    assert totals.share("clicked") == 0.5 and totals.share("filed") == 0.25


def test_no_searches():
    assert searchlog.Totals().share("clicked") is None


def test_the_page_shows_them(searches, client, login):
    factories.user("agent@support.example", role="agent")
    login("agent@support.example")
    html = client.get("/staff/dashboard").get_data(as_text=True)
    section = html.split('class="figures search-outcomes"')[1].split("</div>\n    <p")[0]
    assert '<p class="figure">4</p>' in section
    assert '<p class="figure">50%</p>' in section and '<p class="figure">25%</p>' in section
    assert 'href="/staff/kb/gaps"' in section


def test_the_page_with_no_searches(app, client, login):
    factories.user("agent@support.example", role="agent")
    login("agent@support.example")
    html = client.get("/staff/dashboard", headers={"Accept-Language": "ja"}).get_data(
        as_text=True)
    assert '<p class="figure">0</p>' in html and "チケットを起票" in html
