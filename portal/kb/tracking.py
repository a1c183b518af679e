"""The readers' side of the search log: who is searching, and what goes on its queue.

Called from the knowledge-base views and the ticket listener; everything here only
queues (see :mod:`portal.kb.searchlog`), so it costs a request a few microseconds.
"""

from __future__ import annotations

import secrets

from flask import current_app, has_app_context, session
from flask_login import current_user

from portal import clock
from portal.kb.searchlog import Outcome, Recorder, Searched
from portal.templating import current_locale

# A visitor's random id in their session: no user, no address. Sign-in clears the
# session, so it never links a visitor's searches to the account they sign in to.
SESSION_KEY = "searcher"


def init_app(app) -> None:
    """Give the app its search-log queue (written by a thread unless testing)."""
    app.extensions["search_log"] = Recorder(background=not app.testing)


def recorder(app=None) -> Recorder:
    return (app or current_app).extensions["search_log"]


def _who(create: bool) -> tuple[int | None, str | None] | None:
    """(user id, None) when signed in, (None, visitor id) otherwise; None for a visitor
    without an id when ``create`` is false.

    A visitor's id is made only when their session will be kept anyway: it already holds
    something (every page the browser loaded gave it a CSRF token), or this response is
    a whole page (which gives it one). A client that keeps no cookie (a script, a
    crawler) could not be followed from one keystroke to the next, so it is not logged
    rather than logged once per keystroke.
    """
    if current_user.is_authenticated:
        return current_user.id, None
    visitor = session.get(SESSION_KEY)
    if visitor is None:
        if not create:
            return None
        visitor = session[SESSION_KEY] = secrets.token_urlsafe(12)
    return None, visitor


def searched(source: str, query: str, hits, whole_page: bool = False) -> None:
    """Queue a search (``source`` "search" or "suggest") and the articles it showed."""
    if query:
        who = _who(create=whole_page or bool(session))
        if who is not None:
            recorder().add(Searched(source, query, current_locale(),
                                    tuple(h.id for h in hits), *who, clock.now()))


def outcome(kind: str, article_id: int) -> None:
    """Queue "clicked" or "answered" for an article, for this reader's latest search."""
    who = _who(create=False)
    if who is not None:
        recorder().add(Outcome(kind, *who, article_id, clock.now()))


def ticket_filed(user_id: int | None) -> None:
    """A ticket was filed by ``user_id``: their searches of the last minutes ended in it.
    Outside a request (mail, the command line) there is no search to tie it to."""
    if user_id is not None and has_app_context() and "search_log" in current_app.extensions:
        recorder().add(Outcome("filed", user_id, None, None, clock.now()))
