"""PostgreSQL: the data version is taken before the rows a statement writes.

m0018's triggers ran after each statement, so a lone write (one statement outside
``db.transaction``: a tool, a hand-written UPDATE) locked its rows first and the
version row second, while a write transaction already held the version and might want
those rows next: a deadlock, and PostgreSQL aborts one of the two. Now the trigger runs
before the statement and first takes the advisory lock that every ``db.transaction``
holds (``portal.db.WRITE_LOCK``, 7,405,000). Every writer then locks in one order: the
write lock, the version, the rows. The same transaction taking the advisory lock again
costs nothing. SQLite has one writer at a time and keeps its triggers.
"""

from portal.migrations.m0018_data_version import WATCHED

STATEMENTS: list[str] = []

POSTGRES = [
    "CREATE OR REPLACE FUNCTION portal_bump_data_version() RETURNS trigger"
    " LANGUAGE plpgsql AS $$ BEGIN"
    " PERFORM pg_advisory_xact_lock(7405000);"
    " INSERT INTO data_version (name, value) VALUES ('data', 1)"
    " ON CONFLICT (name) DO UPDATE SET value = data_version.value + 1;"
    " RETURN NULL; END $$",
    *(statement for table in WATCHED for statement in (
        f'DROP TRIGGER {table}_data_version ON "{table}"',
        f'CREATE TRIGGER {table}_data_version BEFORE INSERT OR UPDATE OR DELETE ON "{table}"'
        " FOR EACH STATEMENT EXECUTE FUNCTION portal_bump_data_version()")),
]
