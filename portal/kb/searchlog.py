"""The search log: what readers searched for and how it ended, written off the request's
path. No Flask here.

A search or suggestion request only appends a tuple to an in-process queue
(:class:`Recorder`; the view's whole hook takes ~13 µs); a writer thread writes what
has queued up about once a second, in one short transaction. So a suggestion request
never waits for a write, and on SQLite never for the write lock. Events still queued
when a worker is killed are lost: this is a log of what readers did, not something
anyone was promised.

One row per search, not per keystroke. Search-as-you-type sends ろ, ろぐ, ログイン,
ログインでき…; a row is continued (its query, results and shown articles replaced by the
latest) while the same reader keeps typing: same page, within ``SESSION_GAP`` of the
last request, nothing clicked or answered yet, and one query a prefix of the other
(typing on, or deleting back). Anything else starts a new row, so a query abandoned for
another stays visible as its own search.

How a search ended: ``clicked`` when the reader opened an article it showed (the
article page's view beacon), ``answered`` when they said an article it showed answered
them ("this answered my question" on the ticket form, or "yes" under the article), and
``filed`` when they filed a ticket within ``OUTCOME_WINDOW`` of it. Outcomes go through
the same queue; one that finds no row yet (its search still queued in another worker)
is tried again on the next few flushes.

A visitor is recorded only as a random id kept in their browser's session (no user, no
address); a signed-in reader as their user.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from peewee import Case, fn

from portal import settings
from portal.db import db, transaction
from portal.kb.models import SearchLog
from portal.kb.textforms import as_typed

log = logging.getLogger(__name__)

SOURCES = ("search", "suggest")
OUTCOMES = ("clicked", "answered", "filed")
SESSION_GAP = timedelta(minutes=3)  # typing paused longer than this is a new search
OUTCOME_WINDOW = timedelta(minutes=30)  # a click, answer or ticket this soon after counts
MAX_QUERY = 200  # characters of the normalized query kept
MAX_SHOWN = 30  # the search page's limit
FLUSH_SECONDS = 1.0
BATCH = 500  # events per transaction: the write lock is held a few milliseconds
MAX_PENDING = 50_000  # past this (the database down for long) the oldest are dropped
RETRIES = 3
PURGE_BATCH = 5_000
DEFAULT_DAYS = 90


class Searched(NamedTuple):
    """A search or suggestion request, as the view saw it (a tuple: cheap to make)."""

    source: str  # one of SOURCES
    query: str  # as typed; normalized by the writer
    language: str
    shown: tuple[int, ...]  # the article ids shown, best first
    user_id: int | None
    visitor: str | None
    at: datetime


class Outcome(NamedTuple):
    """A reader clicked, was answered by (``article_id``), or filed a ticket."""

    kind: str  # one of OUTCOMES
    user_id: int | None
    visitor: str | None
    article_id: int | None
    at: datetime


def logged_form(query: str) -> str:
    """The query as the log keeps it: normalized (NFKC, case, long-vowel marks; kana as
    typed, so staff read できない, not the index's デキナイ), spaces collapsed, cut to
    ``MAX_QUERY``."""
    return " ".join(as_typed(query).split())[:MAX_QUERY]


@dataclass(slots=True)
class _Latest:
    """A reader's latest row, as far as continuing it goes."""

    id: int
    source: str
    query: str
    last_at: datetime
    ended: bool  # clicked, answered or filed: a new search starts a new row


# The writer runs raw statements (SQLite's dialect, translated for PostgreSQL): through
# model instances a row cost ~0.5 ms of Python, taken from the requests of the same
# process. An id that no longer exists (an article deleted, a user removed, since the
# request) is written as NULL by the sub-selects, so no batch fails on it.
_WHO = {True: "user_id", False: "visitor"}  # keyed by "is a user"
_LATEST = ("SELECT id, source, query, last_at, clicked, answered, filed FROM search_log"
           " WHERE {who} = ? ORDER BY id DESC LIMIT 1")
_INSERT = ("INSERT INTO search_log (source, query, language, results, top_article_id, shown,"
           " user_id, visitor, clicked, answered, filed, created_at, last_at) VALUES"
           " (?, ?, ?, ?, (SELECT id FROM article WHERE id = ?), ?,"
           " (SELECT id FROM \"user\" WHERE id = ?), ?, ?, ?, ?, ?, ?) RETURNING id")
_UPDATE = ("UPDATE search_log SET query = ?, language = ?, results = ?,"
           " top_article_id = (SELECT id FROM article WHERE id = ?), shown = ?, last_at = ?"
           " WHERE id = ?")
_RECENT = ("SELECT id, shown FROM search_log WHERE {who} = ? AND last_at >= ?"
           " ORDER BY id DESC LIMIT 20")
_MARK = {"clicked": "UPDATE search_log SET clicked = ? WHERE id = ?",
         "answered": "UPDATE search_log SET answered = ? WHERE id = ?"}
_FILED = "UPDATE search_log SET filed = ? WHERE user_id = ? AND last_at >= ?"


def _key(user_id: int | None, visitor: str | None) -> tuple[str, object]:
    return (_WHO[True], user_id) if user_id is not None else (_WHO[False], visitor)


def _latest(key: tuple[str, object]) -> _Latest | None:
    row = db.execute_sql(_LATEST.format(who=key[0]), (key[1],)).fetchone()
    if row is None:
        return None
    row_id, source, query, last_at, *flags = row
    return _Latest(row_id, source, query, SearchLog.last_at.python_value(last_at), any(flags))


def _continues(row: _Latest, event: Searched, query: str) -> bool:
    """Is ``event`` the same reader still typing the search ``row`` holds?"""
    return (row.source == event.source and not row.ended
            and event.at - row.last_at <= SESSION_GAP
            and (query.startswith(row.query) or row.query.startswith(query)))


def _searched(event: Searched, latest: dict) -> None:
    query = logged_form(event.query)
    if not query or event.source not in SOURCES:
        return
    key = _key(event.user_id, event.visitor)
    row = latest[key] if key in latest else _latest(key)
    shown = event.shown[:MAX_SHOWN]
    values = (query, event.language, len(shown), shown[0] if shown else None,
              " ".join(map(str, shown)))
    if row is not None and _continues(row, event, query):
        db.execute_sql(_UPDATE, (*values, event.at, row.id))
        row.query, row.last_at = query, event.at
    else:
        new_id = db.execute_sql(_INSERT, (
            event.source, *values, event.user_id, event.visitor, False, False, False,
            event.at, event.at)).fetchone()[0]
        row = latest[key] = _Latest(new_id, event.source, query, event.at, False)


def _outcome(event: Outcome, latest: dict) -> bool:
    """Mark the search this outcome ended; False when none is found (yet)."""
    key = _key(event.user_id, event.visitor)
    latest.pop(key, None)  # its flags change below
    since = event.at - OUTCOME_WINDOW
    if event.kind == "filed":
        # Every search of the last minutes led to this ticket.
        return db.execute_sql(_FILED, (True, event.user_id, since)).rowcount > 0
    wanted = str(event.article_id)
    for row_id, shown in db.execute_sql(_RECENT.format(who=key[0]),
                                        (key[1], since)).fetchall():
        if wanted in shown.split():
            db.execute_sql(_MARK[event.kind], (True, row_id))
            return True
    return False


def write(events: list) -> list[Outcome]:
    """Write ``events`` in order, in one transaction; return the outcomes that found no
    search."""
    latest: dict = {}  # each reader's latest row, as written in this batch
    unmatched = []
    with transaction():
        for event in events:
            if isinstance(event, Searched):
                _searched(event, latest)
            elif event.kind in OUTCOMES and not _outcome(event, latest):
                unmatched.append(event)
    return unmatched


class Recorder:
    """The in-process queue of search-log events, and the thread that writes them.

    ``background=False`` (tests) starts no thread: :meth:`flush` writes what is queued.
    The thread is started by the first event in each process (a server forks its
    workers after the app is made), and stops when the database handle is bound to
    another database (another app took over this process).
    """

    def __init__(self, background: bool) -> None:
        self.background = background
        self._pending: deque = deque(maxlen=MAX_PENDING)
        self._retry: list[tuple[Outcome, int]] = []
        self._flushing = threading.Lock()
        self._starting = threading.Lock()
        self._wake = threading.Event()
        self._pid: int | None = None
        self._database = None
        self._thread: threading.Thread | None = None
        self._stopped = False

    def add(self, event: Searched | Outcome) -> None:
        """Queue one event (called on the request's path: no I/O, no lock)."""
        self._pending.append(event)
        if self.background and self._pid != os.getpid():
            self._start()
        elif len(self._pending) >= BATCH:
            self._wake.set()

    def pending(self) -> int:
        return len(self._pending) + len(self._retry)

    def flush(self) -> int:
        """Write one batch of queued events; return how many were taken."""
        with self._flushing:
            events = []
            while self._pending and len(events) < BATCH:
                events.append(self._pending.popleft())
            retry, self._retry = self._retry, []
            if not events and not retry:
                return 0
            tries = {id(event): n for event, n in retry}
            unmatched = write(events + [event for event, _ in retry])
            self._retry = [(event, tries.get(id(event), 0) + 1) for event in unmatched
                           if tries.get(id(event), 0) + 1 < RETRIES]
            return len(events)

    def _start(self) -> None:
        with self._starting:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._database = db.obj
            self._thread = threading.Thread(target=self._run, name="portal-search-log",
                                            daemon=True)
            self._thread.start()
            atexit.register(self._last_flush)

    def stop(self, timeout: float = 30.0) -> None:
        """Write what is queued and end the thread (tests; a server shutting down)."""
        self._stopped = True
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _bound_elsewhere(self) -> bool:
        return db.obj is not self._database

    def _run(self) -> None:
        while not self._bound_elsewhere():
            self._wake.wait(FLUSH_SECONDS)
            self._wake.clear()
            if self.pending() and not self._bound_elsewhere():
                self._write_queued()
            if self._stopped:
                return

    def _write_queued(self) -> None:
        """Flush until the queue is short, on this thread's own connection."""
        try:
            db.connect(reuse_if_open=True)
            while self.flush() >= BATCH:
                pass
        except Exception:  # a log: drop this batch, keep going
            log.exception("writing the search log failed")
        finally:
            if not db.is_closed():
                db.close()

    def _last_flush(self) -> None:
        if self._pid == os.getpid() and self.pending() and not self._bound_elsewhere():
            try:
                db.connect(reuse_if_open=True)
                while self.flush():
                    pass
            except Exception:  # noqa: S110  (shutting down: nothing else to do with it)
                pass


# --- keeping and reading ----------------------------------------------------------------

def retention_days() -> int:
    """How many days rows are kept (``PORTAL_SEARCH_LOG_DAYS``)."""
    return int(settings.get("SEARCH_LOG_DAYS", DEFAULT_DAYS))


def purge(now: datetime, days: int | None = None) -> int:
    """Delete rows last touched more than ``days`` ago, in batches (each its own short
    transaction); return how many."""
    cutoff = now - timedelta(days=retention_days() if days is None else days)
    total = 0
    while True:
        with transaction():
            ids = [row_id for (row_id,) in SearchLog.select(SearchLog.id)
                   .where(SearchLog.last_at < cutoff).limit(PURGE_BATCH).tuples()]
            if ids:
                SearchLog.delete().where(SearchLog.id.in_(ids)).execute()
        total += len(ids)
        if len(ids) < PURGE_BATCH:
            return total


@dataclass
class Totals:
    """How the searches of a period ended (a search may end in more than one way)."""

    searches: int = 0
    no_result: int = 0
    clicked: int = 0  # clicked or answered: the reader found something to read
    answered: int = 0
    filed: int = 0

    def share(self, name: str) -> float | None:
        return getattr(self, name) / self.searches if self.searches else None


def _count(condition):
    return fn.SUM(Case(None, [(condition, 1)], 0))


def totals(since: datetime) -> Totals:
    """The period's searches and their outcomes, in one pass over the covering index."""
    row = (SearchLog.select(fn.COUNT(SearchLog.id), _count(SearchLog.results == 0),
                            _count((SearchLog.clicked == True) | (SearchLog.answered == True)),  # noqa: E712
                            _count(SearchLog.answered == True),  # noqa: E712
                            _count(SearchLog.filed == True))  # noqa: E712
           .where(SearchLog.last_at >= since).tuples().first())
    return Totals(*(int(value or 0) for value in row))
