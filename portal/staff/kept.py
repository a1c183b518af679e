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
"""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_babel import get_timezone

from portal.fragments import Kept, hole, kept
from portal.templating import current_locale

MAX_PAGES = 500  # ~12 KB each


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
