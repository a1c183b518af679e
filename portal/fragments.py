"""Rendered parts of pages kept per worker, under the database's data version.

A staff page shows much that is the same from one view to the next (a ticket's thread
and controls, the queue's filter lists) and costs milliseconds to render. Such a part
is kept under a key holding the data version (:func:`data_version`: a number every
write to the tables those pages read moves, in the same transaction, from whichever
process or server; see migration m0018) and everything else it shows (the page, the
reader, their language and zone). The version is read before anything the part shows,
so a kept part is never older than the version it is kept under: a write committed
after the read moves the version, and the next page renders afresh.

What must differ on each page is left as a hole: the part is rendered with a marker
where it goes (:func:`hole`), and the page fills each marker (:meth:`Kept.fill`) — the
request's CSRF token, a countdown, counts that follow the clock. The markers hold a
secret made per process, so no text a user wrote can stand for one.

A whole signed-in page may be kept the same way (:func:`whole_page`), under its part's
key and the request's address, language and zone, when no message waits to be shown
(a flash is shown once, on the page rendered for it). Such a page can be answered
before Flask (:func:`early_page`), after the same sign-in and access checks.

Kept per app (its templates and translations), at most ``limit`` parts per worker;
past that the oldest half is dropped. (A database put back from an older copy takes its
servers' restart, as its kept connections do: its version went back.)
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from itertools import islice

from flask import current_app, request, session
from markupsafe import Markup

from portal.db import execute_planned
from portal.i18n import select_timezone
from portal.security import add_headers, csrf_token
from portal.templating import current_locale

_SECRET = secrets.token_hex(12)
_VERSION_SQL = "SELECT value FROM data_version WHERE name = 'data'"


def data_version() -> int | None:
    """The data version now (None when the database has no such row: keep nothing)."""
    row = execute_planned(_VERSION_SQL).fetchone()
    return None if row is None else row[0]


def hole(name: str) -> Markup:
    """The marker of the hole ``name``, as a kept part is rendered with it."""
    return Markup(f"\x00{_SECRET}:{name}\x00")  # noqa: S704  (our own marker, no user text)


class Kept:
    """One app's kept parts of one kind (e.g. ticket pages)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._parts: dict[tuple, str] = {}
        self._version: int | None = None  # the newest version anything was kept under
        self._lock = threading.Lock()

    def get(self, key: tuple) -> str | None:
        """The part kept under ``key`` (whose first item is the data version), or None."""
        return None if key[0] is None else self._parts.get(key)

    def keep(self, key: tuple, html: str) -> None:
        version = key[0]
        if version is None:
            return
        with self._lock:
            if version != self._version:
                if self._version is not None and version < self._version:
                    return  # read before a newer write: no later request asks for it
                # The version only grows, so no request will ask for what was kept under
                # an older one: only the current version's parts take memory.
                self._parts.clear()
                self._version = version
            if len(self._parts) >= self.limit:
                for old in list(islice(self._parts, len(self._parts) // 2)):
                    self._parts.pop(old, None)
            self._parts[key] = html

    def clear(self) -> None:
        with self._lock:
            self._parts.clear()
            self._version = None

    def __len__(self) -> int:
        return len(self._parts)

    @staticmethod
    def fill(html: str, **holes: str) -> Markup:
        """``html`` with each hole's marker replaced by its value (already HTML)."""
        for name, value in holes.items():
            html = html.replace(f"\x00{_SECRET}:{name}\x00", str(value))
        return Markup(html)  # noqa: S704  (parts rendered by autoescaping templates)


def kept(app, kind: str, limit: int) -> Kept:
    """The app's kept parts of ``kind`` (made on first use)."""
    store = app.extensions.get(f"kept:{kind}")
    if store is None:
        store = app.extensions.setdefault(f"kept:{kind}", Kept(limit))
    return store


def whole_page(kind: str, limit: int, key: tuple, render: Callable[[dict], str]) -> str:
    """A whole page kept under ``key`` (the data version first, then everything its
    content shows, the reader included) and the request's address, language and zone,
    with this request's CSRF token filled in. ``render(once)`` renders the page with
    ``_once=once`` (the hole of the token in it). A page with a message waiting is
    rendered as usual and not kept."""
    if "_flashes" in session:
        return render({})
    full = page_key(key, request, current_locale(), select_timezone())
    store = kept(current_app, kind, limit)
    html = store.get(full)
    if html is None:
        html = render({"csrf_token": hole("csrf")})
        store.keep(full, html)
    return Kept.fill(html, csrf=csrf_token())


def page_key(key: tuple, request, locale: str, zone: str) -> tuple:
    """The key of a whole page: its content's ``key`` and the request's address, the
    reader's language and zone (the same in Flask and in an early answer)."""
    return (*key, request.host_url, request.full_path, locale, zone)


def early_page(app, kind: str, key: tuple, token: str):
    """The response of the whole page kept under ``key`` (see :func:`page_key`), with
    ``token`` as its CSRF token and the headers of a signed-in page, as Flask would
    answer it; ``None`` when no such page is kept."""
    store = app.extensions.get(f"kept:{kind}")
    html = None if store is None else store.get(key)
    if html is None:
        return None
    response = app.response_class(Kept.fill(html, csrf=token), mimetype="text/html")
    add_headers(response.headers, app.config, signed_in=True)
    response.vary.add("Cookie")  # as Flask marks a response whose session was read
    return response
