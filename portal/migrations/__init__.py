"""Numbered schema steps and the runner that applies them, on SQLite and PostgreSQL.

Each step is a module ``mNNNN_name.py`` with a ``STATEMENTS`` list of SQL. Steps are
applied in order, each in its own transaction together with its row in
``schema_version`` (``BEGIN IMMEDIATE`` on SQLite; on PostgreSQL a transaction-scoped
advisory lock), so a crash leaves the schema at a whole step, two processes running
``portal init`` at once apply each step once, and re-running is harmless. Steps only
ever add: an upgrade never drops a user's data.

A step is written once, in SQLite's dialect, and the runner translates it for
PostgreSQL (:func:`portal.pgdialect.translate_step`). The rules a step must follow:

1. One statement per list item; no trailing ``;``. Only ``CREATE TABLE``,
   ``ALTER TABLE … ADD COLUMN``, ``CREATE [UNIQUE] INDEX`` (partial indexes with a
   ``WHERE`` are fine), ``CREATE VIRTUAL TABLE … USING fts5(…)`` and plain
   ``INSERT``/``UPDATE``/``DELETE`` of data.
2. Keys: ``id INTEGER PRIMARY KEY`` (becomes an identity column on PostgreSQL), or a
   ``TEXT PRIMARY KEY``, or a composite ``PRIMARY KEY (a, b)``.
3. Types: ``INTEGER``, ``TEXT``, ``REAL``, ``BLOB`` only. A timestamp is a ``TEXT``
   column read by a Peewee ``DateTimeField`` (``DateField`` for a date), a flag is an
   ``INTEGER`` column read by a ``BooleanField`` with ``DEFAULT 0``/``1``: on PostgreSQL
   the runner gives those columns ``TIMESTAMP``/``DATE``/``BOOLEAN``, because the model
   — which binds the values — says what they are. So every column a step adds must have
   its field on a model before the step runs in a release; a column with no field keeps
   its SQLite type. A flag compared or set (partial index, ``UPDATE``, ``WHERE``) is
   written ``flag = 1``/``= 0``; the day of a stored time is ``substr(at, 1, 10)``.
4. Names: write the table ``user`` as ``"user"`` (it is reserved on PostgreSQL; a bare
   ``user`` is quoted by the runner too); no other SQL reserved word as a table or column
   name (``tests/test_schema.py`` checks); no ``COLLATE``, no ``AUTOINCREMENT``, no
   ``WITHOUT ROWID``, no ``strftime`` or other SQLite-only function, no ``INSERT OR …``.
5. Foreign keys: ``REFERENCES table (id)`` with ``ON DELETE CASCADE``/``SET NULL`` if
   wanted; defaults are literals.
6. A full-text table is ``CREATE VIRTUAL TABLE name USING fts5(col, …options)``: on
   PostgreSQL it becomes a table ``name (rowid INTEGER PRIMARY KEY, col TSVECTOR NOT
   NULL)`` with a GIN index per column; its users go through :mod:`portal.kb.search`.

7. What only PostgreSQL needs for the search (:mod:`portal.kb.search`) — server-side
   functions, expression indexes — goes in a ``POSTGRES`` list of statements written in
   PostgreSQL's own dialect, run there after the translated ``STATEMENTS``. Such a list
   never creates or changes a table SQLite also has, except to drop the tables that
   stood in for FTS5 (they hold nothing but a derived index).
8. Triggers, which the two databases write differently, go in a ``SQLITE`` list and a
   ``POSTGRES`` list of the same step, each in its database's own dialect, run after
   ``STATEMENTS``. A trigger only writes rows; it never changes a table's shape.

``tests/test_schema.py`` builds the schema on both databases and compares tables,
columns (normalised types, nullability), indexes, unique constraints and foreign keys.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass

from portal.db import db, is_postgres, transaction
from portal.pgdialect import BOOLEAN, DATE, TIMESTAMP, translate_step

# An arbitrary constant: the advisory lock held while a step is applied on PostgreSQL.
MIGRATION_LOCK = 7_405_001

_STEP_NAME = re.compile(r"^m(\d{4})_\w+$")


@dataclass(frozen=True)
class Step:
    version: int
    name: str
    statements: tuple[str, ...]
    postgres: tuple[str, ...] = ()  # rules 7, 8: PostgreSQL's own statements, run after
    sqlite: tuple[str, ...] = ()  # rule 8: SQLite's own statements (triggers), run after


def steps() -> list[Step]:
    """All steps shipped with this release, in order."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        match = _STEP_NAME.match(info.name)
        if match:
            module = importlib.import_module(f"{__name__}.{info.name}")
            found.append(Step(int(match.group(1)), info.name, tuple(module.STATEMENTS),
                              tuple(getattr(module, "POSTGRES", ())),
                              tuple(getattr(module, "SQLITE", ()))))
    found.sort(key=lambda s: s.version)
    return found


def column_kinds() -> dict[tuple[str, str], str]:
    """(table, column) → timestamp/boolean/date for every model field that needs it."""
    from peewee import BooleanField, DateField, DateTimeField

    from portal.db import BaseModel

    _import_models()
    kinds: dict[tuple[str, str], str] = {}
    pending = list(BaseModel.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        for field in model._meta.sorted_fields:
            kind = (TIMESTAMP if isinstance(field, DateTimeField) else
                    DATE if isinstance(field, DateField) else
                    BOOLEAN if isinstance(field, BooleanField) else None)
            if kind:
                kinds[(model._meta.table_name, field.column_name)] = kind
    return kinds


def _import_models() -> None:
    """Every ``portal.<area>.models`` module (and the job leases), so their models are
    known."""
    import portal

    importlib.import_module("portal.jobs")
    for info in pkgutil.iter_modules(portal.__path__):
        if info.ispkg:
            try:
                importlib.import_module(f"portal.{info.name}.models")
            except ModuleNotFoundError as err:
                if err.name != f"portal.{info.name}.models":
                    raise


def statements(step: Step) -> list[str]:
    """The step's statements for the bound database."""
    if not is_postgres():
        return list(step.statements) + list(step.sqlite)
    kinds = column_kinds()
    return [out for sql in step.statements for out in translate_step(sql, kinds)] + list(
        step.postgres)


def current_version() -> int:
    """The highest step applied to the bound database (0 for an empty one)."""
    applied = "TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP" if is_postgres() else (
        "TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP")
    db.execute_sql(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        f" version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at {applied})"
    )
    row = db.execute_sql("SELECT MAX(version) FROM schema_version").fetchone()
    return row[0] or 0


def upgrade(target: int | None = None) -> list[str]:
    """Apply every step above the current version (up to ``target``); return their names."""
    db.connect(reuse_if_open=True)
    current_version()
    applied = []
    for step in steps():
        if target is not None and step.version > target:
            break
        with transaction():
            if is_postgres():
                db.execute_sql("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
            # Read again inside the lock: another process may have just applied it.
            if db.execute_sql(
                "SELECT 1 FROM schema_version WHERE version = ?", (step.version,)
            ).fetchone():
                continue
            for sql in statements(step):
                db.execute_sql(sql)
            db.execute_sql(
                "INSERT INTO schema_version (version, name) VALUES (?, ?)",
                (step.version, step.name),
            )
        applied.append(step.name)
    return applied
