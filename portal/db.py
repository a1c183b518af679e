"""The database handle: created empty here, bound by the app factory.

PostgreSQL (a ``postgresql://`` URL, psycopg 3 from the ``[postgres]`` extra) takes the
same code: raw statements written in SQLite's dialect (``?`` placeholders, the table
name ``user``) are rewritten by :func:`portal.pgdialect.translate_query` on the way in,
and a connection that dropped is replaced before the next request uses it.

SQLite is opened in WAL mode with foreign keys on, a busy timeout and ``synchronous=FULL``
(an acknowledged write survives even a power cut). Each worker thread keeps its own
connection open across requests: opening one costs about a millisecond, which matters
for search-as-you-type. Writes go through :func:`transaction`, which starts SQLite
transactions with ``BEGIN IMMEDIATE`` so concurrent writers queue on the busy timeout
instead of failing with "database is locked" halfway through.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import peewee
from peewee import DatabaseProxy, Model, OperationalError, PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import connect as connect_url

from portal.pgdialect import translate_query

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
        self._wrapper = None  # a cursor wrapper past its first row, without its cursor

    def rows(self, *params) -> list:
        """The query's results (model instances, joins filled in) for ``params``."""
        compiled = self._compiled
        if compiled is None or compiled[0] is not db.obj:
            query = self._build(*self._sample)
            sql, sample = query.sql()
            if list(sample) != self._sample:
                raise ValueError(f"parameters came out as {sample}, not {self._sample}")
            compiled = self._compiled = (db.obj, query, sql)
            self._wrapper = None
        _, query, sql = compiled
        cursor = execute_planned(sql, params)
        # The query's own cursor wrapper builds the instances exactly as a normal
        # execution would, including the related rows of its joins. What it works out
        # from the columns before the first row (which field and model each column
        # fills, and the join graph: 40 µs) is the same for every run of this SQL, so
        # later runs start from a copy of the first wrapper that got that far.
        ready = self._wrapper
        if ready is None:
            wrapper = query._get_cursor_wrapper(cursor)
            found = list(wrapper)
            if wrapper.initialized:
                ready = copy.copy(wrapper)
                ready.cursor, ready.row_cache = None, []
                ready.count = ready.index = 0
                ready.populated = False
                self._wrapper = ready
            return found
        wrapper = copy.copy(ready)
        wrapper.cursor, wrapper.row_cache = cursor, []
        return list(wrapper)


class Statement:
    """SQL composed once (by Peewee or from Peewee's parts), run again with new values.

    ``build(*sentinels)`` returns a query, or its ``(sql, params)``. Each sentinel must
    come out among the parameters (an error otherwise; with ``all_used=False`` a
    statement may leave some out), each time it is used; every other parameter is a
    constant of the statement and stays. So pick sentinels no statement holds as a
    constant. The SQL is recomposed when the database handle is bound to another
    database.
    """

    def __init__(self, build: Callable, *sentinels, all_used: bool = True) -> None:
        self._build = build
        self._sentinels = sentinels
        self._all_used = all_used
        self._compiled: tuple | None = None  # (database, sql, params, slots)

    def _compile(self) -> tuple:
        built = self._build(*self._sentinels)
        sql, params = built if isinstance(built, tuple) else built.sql()
        slots = [next((i for i, s in enumerate(self._sentinels)
                       if type(s) is type(p) and s == p), None) for p in params]
        missing = set(range(len(self._sentinels))) - set(slots)
        if missing and self._all_used:
            raise ValueError(f"sentinels {sorted(missing)} are not among {params}")
        return (db.obj, sql, list(params), slots)

    def execute(self, *values):
        """The cursor of the statement run with ``values`` in the sentinels' places."""
        compiled = self._compiled
        if compiled is None or compiled[0] is not db.obj:
            compiled = self._compiled = self._compile()
        _, sql, params, slots = compiled
        return execute_planned(sql, [p if i is None else values[i]
                                     for p, i in zip(params, slots, strict=True)])


def execute_planned(sql: str, params=None):
    """``db.execute_sql`` for a statement run again and again with new values: on
    PostgreSQL it is prepared once per connection and each run skips parsing and
    planning (its plan is the generic one either way: ``plan_cache_mode``)."""
    if is_postgres():
        return db.obj.execute_prepared(sql, params)
    return db.execute_sql(sql, params)


# psycopg prepares a statement after this many runs: never, in practice.
NEVER_BY_ITSELF = 1 << 62


class PortalPostgres(PostgresqlDatabase):
    """PostgreSQL through psycopg 3, taking raw SQL in SQLite's dialect as well."""

    def __init__(self, url: str):
        # No server-side prepared statements by themselves: after five runs PostgreSQL
        # may switch a prepared statement to a generic plan, which cannot know how common
        # a searched word is and sorted 25,000 matches for a word a backward scan finds
        # at once (90 ms instead of 0.5 ms at 100,000 articles). So psycopg's automatic
        # preparing never starts (its threshold is out of reach); ``None`` would not do,
        # as it also ignores ``prepare=True``.
        # The few statements prepared on purpose (execute_prepared) have plans that do not
        # depend on their values: planning them anew on every run cost more than running
        # them (1.5 ms for a search's window steps), so their generic plan is used from
        # the start.
        super().__init__(url, prefer_psycopg3=True, connect_timeout=5,
                         application_name="madoguchi", prepare_threshold=NEVER_BY_ITSELF,
                         options="-c plan_cache_mode=force_generic_plan")

    def execute_sql(self, sql, params=None):
        # Peewee's own statements use %s; ours (and the schema steps) use ?.
        if "%s" not in sql:
            sql = translate_query(sql)
        return super().execute_sql(sql, params)

    def execute_prepared(self, sql: str, params=None):
        """``execute_sql`` through a server-side prepared statement, for a statement
        whose plan does not depend on its values (planning it cost more than running
        it). Errors come out as Peewee's, as from ``execute_sql``."""
        if "%s" not in sql:
            sql = translate_query(sql)
        self._log_query(sql, params)
        with peewee.__exception_wrapper__:
            cursor = self.cursor()
            cursor.execute(sql, params or (), prepare=True)
        return cursor


POSTGRES_SCHEMES = ("postgres://", "postgresql://")


def is_postgres_url(target: str) -> bool:
    return target.startswith(POSTGRES_SCHEMES)


def safe_url(target: str) -> str:
    """``target`` without its password, for messages."""
    if "://" not in target:
        return target
    parts = urlsplit(target)
    if parts.password is None:
        return target
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


def open_database(target: str):
    """A Peewee database for a file path or a ``scheme://`` URL (not yet connected)."""
    if "://" not in target:
        return SqliteDatabase(target, pragmas=SQLITE_PRAGMAS, timeout=BUSY_TIMEOUT_SECONDS)
    if target.startswith("sqlite"):
        return connect_url(target, pragmas=SQLITE_PRAGMAS, timeout=BUSY_TIMEOUT_SECONDS)
    if is_postgres_url(target):
        return PortalPostgres("postgresql://" + target.split("://", 1)[1])
    raise OperationalError(f"unsupported database URL: {safe_url(target)}")


def bind(target: str) -> None:
    """Point the shared handle at ``target``, closing a previous binding's connection."""
    if db.obj is not None and not db.obj.is_closed():
        db.obj.close()
    db.initialize(open_database(target))


def is_sqlite() -> bool:
    return isinstance(db.obj, SqliteDatabase)


def is_postgres() -> bool:
    return isinstance(db.obj, PostgresqlDatabase)


def kind() -> str:
    """``sqlite`` or ``postgresql``: which database the handle is bound to."""
    return "postgresql" if is_postgres() else "sqlite"


def ensure_connection() -> None:
    """Connect, replacing a kept connection that the server dropped since its last use."""
    if not db.is_closed() and not db.in_transaction() and not _usable():
        try:
            db.close()
        except Exception:  # noqa: S110  (a dead connection may fail to close; it is gone)
            pass
        db.obj._state.reset()
    db.connect(reuse_if_open=True)


def _usable() -> bool:
    if not is_postgres():
        return True
    conn = db.obj._state.conn
    return conn is not None and not conn.closed and not conn.broken


# An arbitrary constant: the advisory lock every write transaction holds on PostgreSQL.
WRITE_LOCK = 7_405_000


@contextmanager
def transaction() -> Iterator[None]:
    """One write action, all or nothing. Nested calls become savepoints.

    Writers take turns on both databases: ``BEGIN IMMEDIATE`` on SQLite, and on
    PostgreSQL one transaction-scoped advisory lock. So every rule that reads, then
    writes (the sign-in throttle, ticket numbers, a form submitted twice) holds on both
    without each needing its own locking; readers never wait for it.
    """
    outermost = not db.in_transaction()
    lock = "IMMEDIATE" if is_sqlite() and outermost else None
    with db.atomic(lock) if lock else db.atomic():
        if outermost and is_postgres():
            db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        yield


def init_app(app) -> None:
    """Bind the handle to the app's database and keep a connection per worker thread."""
    bind(app.config["DATABASE"])

    @app.before_request
    def _connect() -> None:
        ensure_connection()

    @app.teardown_request
    def _rollback_leftovers(exc) -> None:
        finish_request()


def finish_request() -> None:
    """What ends every request: a request must never leave a transaction open on a kept
    connection."""
    try:
        if not db.is_closed() and (db.in_transaction() or not _usable()):
            db.rollback()
    except Exception:  # noqa: S110  (the connection died; the next request replaces it)
        pass


def refresh_statistics() -> None:
    """Let SQLite's planner know the tables' sizes (ANALYZE; 0.1 s at 200,000 tickets).

    Without statistics it may sort every open ticket for the queue instead of walking
    the index made for it. Run at start and hourly by `portal serve`; a connection reads
    statistics when it opens, so the workers' connections (opened after the start) have
    the start's. PostgreSQL's autovacuum keeps its statistics itself.
    """
    if is_sqlite():
        with transaction():  # a connection opening meanwhile reads both or neither
            db.execute_sql("ANALYZE")
            _rare_flag_is_rare()
        db.execute_sql("ANALYZE sqlite_schema")  # this connection reads them again


# A partial index over open tickets on a flag that marks few of them by nature: an
# escalation. ANALYZE sees only that the flag has two values and reports half the index
# per value, or all of it when no ticket is escalated, so SQLite counted "escalated" by
# reading every open ticket (50 ms at 200,000) instead of walking the index and finding
# nothing. The statistics are made to say the flag's value holds few rows. Not for "the
# customer spoke last", which may hold most open tickets: there ANALYZE's figure lets
# SQLite prefer a narrower index (mine, an organization) when a filter gives one.
RARE_FLAG_INDEX = "ticket_open_escalated"


def _rare_flag_is_rare() -> None:
    """The index's row count stays; its rows per flag value become 10."""
    db.execute_sql("UPDATE sqlite_stat1 SET stat = substr(stat, 1, instr(stat, ' ')) || '10 1'"
                   " WHERE idx = ?", (RARE_FLAG_INDEX,))


def healthy() -> bool:
    """True when the database answers a trivial query."""
    try:
        ensure_connection()
        return db.execute_sql("SELECT 1").fetchone()[0] == 1
    except Exception:
        return False
