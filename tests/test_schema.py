"""The numbered steps give the same schema on SQLite and PostgreSQL."""

import re

import pytest

from portal import migrations
from portal.db import bind, db, is_postgres
from portal.pgdialect import BOOLEAN, DATE, TIMESTAMP
from tests.conftest import ON_POSTGRES, postgres

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="needs PORTAL_TEST_DATABASE "
                                "(a PostgreSQL server to compare with)")

FULL_TEXT = {"article_fts", "article_title_fts"}  # FTS5 on one side, tsvector on the other
SQLITE_TYPES = {"INTEGER": "integer", "TEXT": "text", "REAL": "real", "BLOB": "blob"}
PG_TYPES = {"integer": "integer", "bigint": "integer", "text": "text",
            "timestamp without time zone": TIMESTAMP, "boolean": BOOLEAN, "date": DATE,
            "double precision": "real", "bytea": "blob"}
# PostgreSQL's reserved words that could pass for a name (the SQL standard's list is longer).
RESERVED = set("""all analyse analyze and any array as asc asymmetric both case cast check
collate column constraint create current_catalog current_date current_role current_time
current_timestamp current_user default deferrable desc distinct do else end except false
fetch for foreign from grant group having in initially intersect into lateral leading limit
localtime localtimestamp not null offset on only or order placing primary references
returning select session_user some symmetric table then to trailing true union unique user
using variadic when where window with""".split())


def _on_delete(table: str) -> dict[str, str]:
    if is_postgres():
        rows = db.execute_sql(
            "SELECT kcu.column_name, rc.delete_rule FROM"
            " information_schema.referential_constraints rc JOIN"
            " information_schema.key_column_usage kcu ON kcu.constraint_name ="
            " rc.constraint_name WHERE kcu.table_name = ?", (table,)).fetchall()
        return {column: rule for column, rule in rows}
    rows = db.execute_sql(f'PRAGMA foreign_key_list("{table}")').fetchall()
    return {row[3]: row[6] for row in rows}


def _schema() -> dict:
    kinds = {**migrations.column_kinds(), ("schema_version", "applied_at"): TIMESTAMP}
    schema = {}
    for table in sorted(set(db.get_tables()) - FULL_TEXT):
        if table.startswith(("article_fts_", "article_title_fts_")):
            continue  # FTS5's own shadow tables
        columns = {}
        for col in db.get_columns(table):
            if is_postgres():
                kind = PG_TYPES[col.data_type]
            else:
                kind = SQLITE_TYPES[col.data_type.upper()]
                kind = kinds.get((table, col.name), kind) if kind in ("text", "integer") else kind
            # SQLite lets a primary key column hold NULL unless told otherwise; never ours.
            columns[col.name] = (kind, col.null and not col.primary_key, col.primary_key)
        pk = tuple(sorted(c for c, v in columns.items() if v[2]))
        indexes = set()
        for index in db.get_indexes(table):
            # An expression (COALESCE(…)) has no column name on SQLite and its own text
            # on PostgreSQL: compared as "an expression".
            index.columns[:] = [c if c and re.fullmatch(r"\w+", c) else "(expression)"
                                for c in index.columns]
            if index.name.endswith("_pkey") or tuple(sorted(index.columns)) == pk:
                continue
            name = index.name if not re.match(r"sqlite_autoindex_|.*_key$", index.name) else ""
            partial = " WHERE " in (index.sql or "").upper()
            indexes.add((name, tuple(index.columns), index.unique, partial))
        rules = _on_delete(table)
        fks = {(fk.column, fk.dest_table, fk.dest_column, rules.get(fk.column, "NO ACTION"))
               for fk in db.get_foreign_keys(table)}
        schema[table] = {"columns": columns, "indexes": indexes, "fks": fks}
    return schema


def test_the_same_steps_give_the_same_schema_on_both(tmp_path):
    bind(str(tmp_path / "schema.db"))
    migrations.upgrade()
    on_sqlite = _schema()
    bind(postgres.empty())
    migrations.upgrade()
    on_postgres = _schema()
    db.close()
    assert set(on_sqlite) == set(on_postgres)
    for table in on_sqlite:
        assert on_sqlite[table] == on_postgres[table], table
    # Something to compare: the biggest tables came through whole.
    assert on_postgres["ticket"]["columns"]["created_at"] == (TIMESTAMP, False, False)
    assert on_postgres["ticket"]["columns"]["escalated"] == (BOOLEAN, False, False)


def test_keys_are_identity_columns_and_names_are_not_reserved(tmp_path):
    bind(postgres.empty())
    migrations.upgrade()
    identity = dict(db.execute_sql(
        "SELECT table_name, is_identity FROM information_schema.columns"
        " WHERE table_schema = 'public' AND column_name = 'id'").fetchall())
    assert identity and set(identity.values()) == {"YES"}
    names = db.execute_sql("SELECT table_name, column_name FROM information_schema.columns"
                           " WHERE table_schema = 'public'").fetchall()
    db.close()
    clashes = {name for pair in names for name in pair if name in RESERVED}
    assert clashes == {"user"}  # quoted everywhere, by the runner and by Peewee
