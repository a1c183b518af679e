"""The queue page's content kept rendered per worker (see ``portal.fragments``).

Around its rows and counts the queue page shows the filter form with its choices
(agents, organizations, types), the bulk bar, the table's head and the pagination.
Those come only from the database (every table of them moves the data version,
migration m0018), the page's address (its filters and page number), the number of
matching tickets, the reader's language and zone (no one's own data: every member of
staff sees the same form) and the app's address. They are kept under exactly those;
the views' counts (one's own "mine", the saved views, counts that follow the clock)
and the rows (kept by ``portal.staff.rows``, ages and countdowns worked out now) are
holes filled on each page, and so is the request's CSRF token.

The whole page is kept too (:func:`page_key`): under the data version, the reader, the
saved views they have (not under the version: read on every page), the minute (counts
and countdowns follow the clock), the address, language and zone. Once kept, it is
answered before Flask (:func:`early`) after the same sign-in and staff check.
"""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_babel import get_timezone

from portal import clock
from portal.accounts.early import reader_key
from portal.accounts.models import User
from portal.fragments import Kept, data_version, early_page, hole, kept, page_key
from portal.security import serve_early
from portal.staff import saved
from portal.templating import current_locale

MAX_PAGES = 500  # ~12 KB each
MAX_WHOLE_PAGES = 300  # whole pages, ~60 KB each
WHOLE_PAGES = "queue_whole_pages"
PATH = "/staff/"


def whole_key(version: int | None, viewer: User, views: list) -> tuple:
    """The key of the whole queue page (its content's part; see
    :func:`portal.fragments.page_key`), ``views`` being the reader's saved views."""
    return (version, viewer.id, clock.now().replace(second=0, microsecond=0),
            tuple((v.id, v.name, repr(sorted(v.filters.items()))) for v in views))


def early(app):
    """A handler for :func:`portal.security.serve_early`: a kept queue page for its
    signed-in member of staff, as the view would answer it (the same sign-in and staff
    check, data version, saved views, key, token and headers); ``None`` otherwise."""

    def answer(environ):
        if environ.get("PATH_INFO") != PATH or not app.extensions.get(f"kept:{WHOLE_PAGES}"):
            return None
        found = reader_key(app, environ, lambda user: user.is_staff,
                           lambda user, request, locale, zone: page_key(
                               whole_key(data_version(), user, saved.saved_views(user)),
                               request, locale, zone))
        return None if found is None else early_page(app, WHOLE_PAGES, *found)

    return answer


def init_app(app) -> None:
    """Answer a kept queue page before Flask when that is certain."""
    serve_early(app, early(app))


def content(version: int | None, page, context: dict, choices) -> str:
    """The queue page's content with its holes, kept under ``version`` (read before
    the page's rows and count) and everything else it shows; ``choices()`` gives the
    filter form's lists when it is rendered."""
    key = (version, request.full_path, current_locale(), str(get_timezone()),
           request.script_root, page.number, page.total, page.capped)
    store: Kept = kept(current_app, "queue_pages", MAX_PAGES)
    html = store.get(key)
    if html is None:
        html = render_template("staff/_queue_page.html", as_kept=True, hole=hole,
                               _once={"csrf_token": hole("csrf")}, **context, **choices())
        store.keep(key, html)
    return html
