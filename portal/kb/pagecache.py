"""Rendered knowledge-base pages for visitors who are not signed in, kept per worker.

A public page (the index, a category, an article) is the same for every visitor who is
not signed in, but for the CSRF token its forms carry. So the page is rendered once,
kept with a placeholder where the token was, and each later visitor gets it with their
own token put in (their session's, as on any page). Nothing of a person is ever kept or
shown to another: a signed-in viewer, a session holding flashed messages or an article
vote, or an htmx request is always rendered afresh.

A copy is served only while ``kb_revision`` (raised by ``services._revised`` in the
transaction of every change readers can see: an article saved, published, moved or
deleted, a category renamed) still has the value it was made with, so every worker drops
it at the next request after such a change. View counts are not changes: they reorder
"most viewed" only, and a copy is kept at most ``MAX_AGE`` seconds.

A visitor whose session already holds its CSRF value and nothing else of theirs is
answered from a copy before Flask handles the request at all (:func:`early`): the same
page, token and headers, for a fraction of the work. Anything less certain goes on to
Flask and the view's own wrapper.
"""

from __future__ import annotations

import time
from functools import wraps

from flask import current_app, make_response, request, session
from flask_babel import get_timezone
from flask_login import current_user

from portal.db import ensure_connection, execute_planned, finish_request
from portal.i18n import visitor_locale
from portal.security import add_headers, csrf_token, serve_early, signed_csrf
from portal.templating import current_locale

MAX_AGE = 30.0  # seconds
MAX_PAGES = 500  # per worker (~15 KB each); past that the oldest half is dropped
_PLACEHOLDER = b"\x00csrf\x00"  # pages are kept as the bytes sent
_REVISION_READ = "portal.kb_revision"  # in the WSGI environ


def _revision() -> int:
    row = execute_planned("SELECT value FROM kb_revision WHERE id = 1").fetchone()
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
        # Read already by ``early`` when it found its copy out of date.
        revision = request.environ.get(_REVISION_READ)
        if revision is None:
            revision = _revision()
        now = time.monotonic()
        kept = pages.get(key)
        if kept is not None and kept[0] == revision and kept[1] > now:
            _answerable(request.environ)
            return make_response(kept[2].replace(_PLACEHOLDER, csrf_token().encode()))
        response = make_response(view(**kwargs))
        if response.status_code == 200 and response.mimetype == "text/html":
            if len(pages) >= MAX_PAGES:
                for old in list(pages)[:MAX_PAGES // 2]:
                    pages.pop(old, None)
            html = response.get_data().replace(csrf_token().encode(), _PLACEHOLDER)
            pages[key] = (revision, now + MAX_AGE, html)
            _answerable(request.environ)
            # A visitor's zone is the configured one: its name as the key holds it.
            current_app.extensions["kb_pages_zone"] = (current_app.config["TIMEZONE"],
                                                       key[4])
        return response

    return wrapper


# What a session may hold for its page to come from a copy before Flask: none of these
# (Flask-Login's signed-in user and its remember-me state, messages waiting to be shown,
# an article vote). Whatever else it holds is not shown on these pages.
_PERSONAL_KEYS = ("_user_id", "_remember", "_flashes", "voter")


def _answerable(environ) -> None:
    """Note the request's path as one :func:`early` may find a copy for."""
    paths = current_app.extensions.setdefault("kb_pages_paths", set())
    if len(paths) >= 4 * MAX_PAGES:
        paths.clear()
    paths.add(environ.get("PATH_INFO"))


def early(app):
    """A handler for :func:`portal.security.serve_early`: a kept page for a visitor
    whose session has its CSRF value and nothing of theirs, as the view's wrapper would
    answer (the same key, revision check, token and headers); ``None`` for anything
    else, which Flask then handles."""
    remember_cookie = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")

    def answer(environ):
        # Every other request passes by here: it costs them a set lookup.
        if environ.get("PATH_INFO") not in app.extensions.get("kb_pages_paths", ()):
            return None
        pages = app.extensions.get("kb_pages")
        zone = app.extensions.get("kb_pages_zone")
        if (not pages or environ.get("REQUEST_METHOD") != "GET"
                or "HTTP_HX_REQUEST" in environ or zone is None
                or zone[0] != app.config["TIMEZONE"]):
            return None
        request = app.request_class(environ)
        if remember_cookie in request.cookies:
            return None
        session = app.session_interface.open_session(app, request)
        if session is None or session.permanent or any(k in session for k in _PERSONAL_KEYS):
            return None
        token = signed_csrf(app, session.get("csrf_token"))
        if token is None:
            return None
        locale = visitor_locale(request.cookies, request.headers.get("Accept-Language", ""),
                                app.config["DEFAULT_LOCALE"])
        kept = pages.get((request.host, request.script_root, request.full_path, locale,
                          zone[1]))
        if kept is None or kept[1] <= time.monotonic():
            return None
        try:
            ensure_connection()
            revision = _revision()
        finally:
            finish_request()
        if kept[0] != revision:
            environ[_REVISION_READ] = revision  # the view's wrapper needs it: read once
            return None
        response = app.response_class(kept[2].replace(_PLACEHOLDER, token.encode()),
                                      mimetype="text/html")
        add_headers(response.headers, app.config, signed_in=False)
        response.vary.add("Cookie")  # as Flask marks a response whose session was read
        return response

    return answer


def init_app(app) -> None:
    """Answer visitors from the kept pages before Flask when that is certain."""
    serve_early(app, early(app))
