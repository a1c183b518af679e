"""The database handle: created empty here, bound by the app factory.

SQLite is opened in WAL mode with foreign keys on, a busy timeout and ``synchronous=FULL``
(an acknowledged write survives even a power cut). Each worker thread keeps its own
connection open across requests: opening one costs about a millisecond, which matters
for search-as-you-type. Writes go through :func:`transaction`, which starts SQLite
transactions with ``BEGIN IMMEDIATE`` so concurrent writers queue on the busy timeout
instead of failing with "database is locked" halfway through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from peewee import DatabaseProxy, Model, SqliteDatabase
from playhouse.db_url import connect as connect_url

db = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "full",
    "cache_size": -32_000,  # KiB
    "temp_store": "memory",
    "mmap_size": 256 * 1024 * 1024,
}
BUSY_TIMEOUT_SECONDS = 15


class BaseModel(Model):
    """Every model of the portal lives in this one database."""

    class Meta:
        database = db
        legacy_table_names = False


class Prepared:
    """A Peewee query composed once and run again with new parameters.

    Composing a select of two joined models costs Peewee about 0.2 ms, more than running
    it; for a lookup made on every request (the signed-in user) that is worth keeping.
    ``build(*sample)`` must return the query with the parameters in that order; the
    sample values are checked against the composed SQL's parameters, so a query whose
    parameters come out in another order fails loudly instead of binding them wrongly.
    The SQL is recomposed when the database handle is bound to another database.
    """

    def __init__(self, build: Callable, *sample) -> None:
        self._build = build
        self._sample = list(sample)
        self._compiled: tuple | None = None  # (database, query, sql)

    def rows(self, *params) -> list:
        """The query's results (model instances, joins filled in) for ``params``."""
        compiled = self._compiled
        if compiled is None or compiled[0] is not db.obj:
            query = self._build(*self._sample)
            sql, sample = query.sql()
            if list(sample) != self._sample:
                raise ValueError(f"parameters came out as {sample}, not {self._sample}")
            compiled = self._compiled = (db.obj, query, sql)
        _, query, sql = compiled
        # The query's own cursor wrapper builds the instances exactly as a normal
        # execution would, including the related rows of its joins.
        return list(query._get_cursor_wrapper(db.execute_sql(sql, params)))


def open_database(target: str):
    """A Peewee database for a file path or a ``scheme://`` URL (not yet connected)."""
    if "://" not in target:
        return SqliteDatabase(target, pragmas=SQLITE_PRAGMAS, timeout=BUSY_TIMEOUT_SECONDS)
    if target.startswith("sqlite"):
        return connect_url(target, pragmas=SQLITE_PRAGMAS, timeout=BUSY_TIMEOUT_SECONDS)
    return connect_url(target)


def bind(target: str) -> None:
    """Point the shared handle at ``target``, closing a previous binding's connection."""
    if db.obj is not None and not db.obj.is_closed():
        db.obj.close()
    db.initialize(open_database(target))


def is_sqlite() -> bool:
    return isinstance(db.obj, SqliteDatabase)


@contextmanager
def transaction() -> Iterator[None]:
    """One write action, all or nothing. Nested calls become savepoints."""
    lock = "IMMEDIATE" if is_sqlite() and not db.in_transaction() else None
    with db.atomic(lock) if lock else db.atomic():
        yield


def init_app(app) -> None:
    """Bind the handle to the app's database and keep a connection per worker thread."""
    bind(app.config["DATABASE"])

    @app.before_request
    def _connect() -> None:
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def _rollback_leftovers(exc) -> None:
        # A request must never leave a transaction open on a kept connection.
        if not db.is_closed() and db.in_transaction():
            db.rollback()


def refresh_statistics() -> None:
    """Let SQLite's planner know the tables' sizes (ANALYZE; 0.1 s at 200,000 tickets).

    Without statistics it may sort every open ticket for the queue instead of walking
    the index made for it. Run at start and hourly by `portal serve`.
    """
    if is_sqlite():
        db.execute_sql("ANALYZE")


def healthy() -> bool:
    """True when the database answers a trivial query."""
    try:
        db.connect(reuse_if_open=True)
        return db.execute_sql("SELECT 1").fetchone()[0] == 1
    except Exception:
        return False
