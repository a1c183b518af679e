"""What customers could not find, from the search log: the staff page's lists and the
draft an article starts from. No Flask here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import Case, fn

from portal.kb.models import LANGUAGES, SearchLog
from portal.kb.services import ArticleInput

PERIODS = (7, 30, 90)  # days the page offers
DEFAULT_PERIOD = 30
TOP = 50
TITLE_CHARS = 80
MAX_QUERY = 500  # what a link may carry


@dataclass
class Gap:
    """One query (as normalized) in one language, over the period."""

    query: str
    language: str
    searches: int
    tickets: int  # of those searches, how many ended in a ticket
    last_seen: datetime


def period(raw: str | None) -> int:
    """The period asked for, in days; the default for anything not offered."""
    return int(raw) if raw and raw.isdigit() and int(raw) in PERIODS else DEFAULT_PERIOD


def _last_seen(value) -> datetime:
    # SQLite hands MAX() of a stored time back as text.
    return SearchLog.last_at.python_value(value) if isinstance(value, str) else value


def _top(where, since: datetime, limit: int) -> list[Gap]:
    count = fn.COUNT(SearchLog.id)
    last = fn.MAX(SearchLog.last_at)
    rows = (SearchLog.select(SearchLog.query, SearchLog.language, count,
                             fn.SUM(Case(None, [(SearchLog.filed == True, 1)], 0)),  # noqa: E712
                             last)
            .where((SearchLog.last_at >= since) & where)
            .group_by(SearchLog.query, SearchLog.language)
            .order_by(count.desc(), last.desc(), SearchLog.query).limit(limit).tuples())
    return [Gap(query, language, n, int(tickets or 0), _last_seen(seen))
            for query, language, n, tickets, seen in rows]


def no_results(since: datetime, limit: int = TOP) -> list[Gap]:
    """The most frequent queries that found nothing."""
    return _top(SearchLog.results == 0, since, limit)


def not_clicked(since: datetime, limit: int = TOP) -> list[Gap]:
    """The most frequent queries that found articles nobody opened or said answered them."""
    return _top((SearchLog.results > 0) & (SearchLog.clicked == False)  # noqa: E712
                & (SearchLog.answered == False), since, limit)  # noqa: E712


def report(now: datetime, days: int) -> dict:
    """Both lists for the period ending ``now``."""
    since = now - timedelta(days=days)
    return {"no_results": no_results(since), "not_clicked": not_clicked(since)}


def draft_title(query: str) -> str:
    """A title from a query: its start, cut at a space when it is long; an English one
    capitalized."""
    title = " ".join(query.split())
    if len(title) > TITLE_CHARS:
        cut = title[:TITLE_CHARS]
        title = (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip() + "…"
    return title[:1].upper() + title[1:]


def draft(query: str, language: str, outline: str) -> ArticleInput:
    """A new article's form filled from a query customers could not answer: a draft."""
    return ArticleInput(title=draft_title(query),
                        language=language if language in LANGUAGES else LANGUAGES[0],
                        body=outline, kind="faq", status="draft")
