"""``portal migrate-data``: a whole portal from one database into another, verified.

The target is brought to the current schema by the same numbered steps, must hold no
rows, and receives every table's rows in one transaction (keys kept, so every link
between rows stays as it was). The search index is rebuilt on the target rather than
copied (FTS5 on SQLite and ``tsvector`` on PostgreSQL hold the same words differently).
Afterwards each table is read back from both sides in key order and compared by row
count and a SHA-256 of its normalised content; any difference is an error.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import date, datetime

from portal import migrations
from portal.db import bind, db, open_database, safe_url
from portal.pgdialect import BOOLEAN, DATE, TIMESTAMP

# Rebuilt rather than copied: the schema's own record and the job leases (the new
# servers take them afresh); and what the areas register with :func:`derived`.
SKIPPED = {"schema_version", "job_lease", "data_version"}  # the last moves as rows land
# area → (its derived tables, each also the prefix of its own shadow tables, and what
# rebuilds them on the target, returning a line for the report).
_DERIVED: dict[str, tuple[tuple[str, ...], Callable[[], str]]] = {}


def derived(area: str, tables: tuple[str, ...], rebuild: Callable[[], str]) -> None:
    """Called from an area's ``init_app``: ``tables`` hold only what ``rebuild`` makes
    from the other tables (a search index), so they are rebuilt on the target."""
    _DERIVED[area] = (tables, rebuild)


class DataMoveError(Exception):
    """The copy was refused or failed its check (an operator's message, in English)."""
BATCH = 1000


def _tables(database) -> list[str]:
    """Our tables in an order that inserts every referenced row before its referrers."""
    rebuilt = {name for tables, _ in _DERIVED.values() for name in tables}
    shadows = tuple(f"{name}_" for name in rebuilt) + ("sqlite_",)
    names = [t for t in database.get_tables()
             if t not in SKIPPED | rebuilt and not t.startswith(shadows)]
    refs = {t: {fk.dest_table for fk in database.get_foreign_keys(t)} - {t} for t in names}
    ordered: list[str] = []
    while refs:
        ready = sorted(t for t, needs in refs.items() if not needs - set(ordered))
        if not ready:
            raise DataMoveError("the tables refer to each other in a circle")
        ordered.extend(ready)
        for t in ready:
            del refs[t]
    return ordered


def _key(database, table: str) -> list[str]:
    columns = database.get_columns(table)
    key = [c.name for c in columns if c.primary_key]
    return key or [c.name for c in columns]


def _rows(database, table: str, columns: list[str]) -> Iterator[tuple]:
    order = ", ".join(f'"{c}"' for c in _key(database, table))
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = database.execute_sql(f'SELECT {names} FROM "{table}" ORDER BY {order}')  # noqa: S608
    while batch := cursor.fetchmany(BATCH):
        yield from batch


def _normaliser(kinds: dict[str, str]) -> Callable[[str, object], object]:
    def normal(column: str, value):
        kind = kinds.get(column)
        if value is None:
            return None
        if kind == TIMESTAMP:
            return (value if isinstance(value, datetime)
                    else datetime.fromisoformat(str(value))).isoformat()
        if kind == DATE:
            return (value if isinstance(value, date) else date.fromisoformat(str(value))
                    ).isoformat()
        if kind == BOOLEAN:
            return int(bool(value))
        if isinstance(value, bytes | memoryview):
            return bytes(value).hex()
        return value
    return normal


def _to_target(value, kind: str | None, postgres: bool):
    """A source value as the target's driver should receive it."""
    if value is None:
        return None
    if kind == BOOLEAN:
        return bool(value) if postgres else int(bool(value))
    if kind == TIMESTAMP:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return moment if postgres else str(moment)
    if kind == DATE:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
        return day if postgres else day.isoformat()
    return value


def fingerprint(database, table: str, columns: list[str], kinds: dict[str, str]) -> tuple:
    """(row count, SHA-256 of the rows' normalised content in key order)."""
    normal = _normaliser(kinds)
    digest, count = hashlib.sha256(), 0
    for row in _rows(database, table, columns):
        values = [normal(c, v) for c, v in zip(columns, row, strict=True)]
        digest.update(json.dumps(values, ensure_ascii=False, default=str).encode() + b"\n")
        count += 1
    return count, digest.hexdigest()


def _rows_in(database, tables: list[str]) -> int:
    return sum(database.execute_sql(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]  # noqa: S608
               for t in tables)


def migrate_data(source_url: str, target_url: str,
                 report: Callable[[str], None] = print) -> dict[str, tuple[int, str]]:
    """Copy every row from ``source_url`` to the empty ``target_url``; verify; return
    {table: (rows, checksum)}."""
    source = open_database(source_url)
    source.connect()
    try:
        bind(target_url)
        db.connect()
        target_tables = set(db.get_tables())
        ours = _tables(db.obj) if target_tables else []
        if ours and _rows_in(db.obj, ours):
            raise DataMoveError(f"the target database {safe_url(target_url)} is not empty")
        latest = migrations.steps()[-1].version
        if "schema_version" not in source.get_tables() or source.execute_sql(
                "SELECT MAX(version) FROM schema_version").fetchone()[0] != latest:
            raise DataMoveError("the source database is not at the current schema:"
                                " run portal init on it first")
        migrations.upgrade()
        return _copy(source, db.obj, report)
    finally:
        source.close()
        if not db.is_closed():
            db.close()


def _copy(source, target, report) -> dict[str, tuple[int, str]]:
    all_kinds = migrations.column_kinds()
    postgres = migrations.is_postgres()
    tables = _tables(source)
    with target.atomic():
        for table in tables:
            columns = [c.name for c in source.get_columns(table)]
            kinds = {c: all_kinds.get((table, c)) for c in columns}
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" * len(columns))
            sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608
            if postgres:
                sql = sql.replace("?", "%s")
            batch = []
            for row in _rows(source, table, columns):
                batch.append(tuple(_to_target(v, kinds[c], postgres)
                                   for c, v in zip(columns, row, strict=True)))
                if len(batch) == BATCH:
                    target.cursor().executemany(sql, batch)
                    batch = []
            if batch:
                target.cursor().executemany(sql, batch)
            if postgres and "id" in columns:
                # New rows continue after the copied keys.
                restart = (f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'),"  # noqa: S608
                           f' COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)')
                target.execute_sql(restart)
        rebuilt = [rebuild() for _, rebuild in _DERIVED.values()]
    results = {}
    for table in tables:
        columns = [c.name for c in source.get_columns(table)]
        kinds = {c: all_kinds.get((table, c)) for c in columns}
        mine = fingerprint(source, table, columns, kinds)
        theirs = fingerprint(target, table, columns, kinds)
        if mine != theirs:
            raise DataMoveError(f"table {table} differs after the copy: {mine[0]} rows in"
                                f" the source, {theirs[0]} in the target")
        results[table] = mine
        report(f"{table}: {mine[0]} rows, sha256 {mine[1][:16]} ok")
    for line in rebuilt:
        report(line)
    return results
