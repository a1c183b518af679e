"""Rendered knowledge-base pages for visitors who are not signed in, kept per worker.

A public page (the index, a category, an article) is the same for every visitor who is
not signed in, but for the CSRF token its forms carry. So the page is rendered once,
kept with a placeholder where the token was, and each later visitor gets it with their
own token put in (generated per request, as on any page). Nothing of a person is ever
kept or shown to another: a signed-in viewer, a session holding flashed messages or an
article vote, or an htmx request is always rendered afresh.

A copy is served only while ``kb_revision`` (raised by ``services._revised`` in the
transaction of every change readers can see: an article saved, published, moved or
deleted, a category renamed) still has the value it was made with, so every worker drops
it at the next request after such a change. View counts are not changes: they reorder
"most viewed" only, and a copy is kept at most ``MAX_AGE`` seconds.
"""

from __future__ import annotations

import time
from functools import wraps

from flask import current_app, make_response, request, session
from flask_babel import get_timezone
from flask_login import current_user

from portal.db import db
from portal.security import csrf_token
from portal.templating import current_locale

MAX_AGE = 30.0  # seconds
MAX_PAGES = 500  # per worker (~15 KB each); past that the oldest half is dropped
_PLACEHOLDER = "\x00csrf\x00"


def _revision() -> int:
    row = db.execute_sql("SELECT value FROM kb_revision WHERE id = 1").fetchone()
    return row[0] if row else -1


def _personal() -> bool:
    return (current_user.is_authenticated or bool(request.htmx) or "_flashes" in session
            or "voter" in session or request.method != "GET")


def _plain_address() -> bool:
    """No query but a page number: made-up query strings must not fill the cache."""
    args = request.args
    return not args or (list(args) == ["page"] and args["page"].isdigit()
                        and len(args.getlist("page")) == 1)


def public_page(view):
    """Serve ``view``'s page from the cache to visitors who are not signed in."""

    @wraps(view)
    def wrapper(**kwargs):
        if _personal() or not _plain_address():
            return view(**kwargs)
        pages = current_app.extensions.setdefault("kb_pages", {})
        key = (request.host, request.script_root, request.full_path, current_locale(),
               str(get_timezone()))
        revision, now = _revision(), time.monotonic()
        kept = pages.get(key)
        if kept is not None and kept[0] == revision and kept[1] > now:
            return make_response(kept[2].replace(_PLACEHOLDER, csrf_token()))
        response = make_response(view(**kwargs))
        if response.status_code == 200 and response.mimetype == "text/html":
            if len(pages) >= MAX_PAGES:
                for old in list(pages)[:MAX_PAGES // 2]:
                    pages.pop(old, None)
            html = response.get_data(as_text=True).replace(csrf_token(), _PLACEHOLDER)
            pages[key] = (revision, now + MAX_AGE, html)
        return response

    return wrapper
