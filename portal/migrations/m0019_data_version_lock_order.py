"""PostgreSQL: the data version is taken before the rows a statement writes.

m0018's triggers ran after each statement, so a lone write (one statement outside
``db.transaction``: a tool, a hand-written UPDATE) locked its rows first and the
version row second, while a write transaction already held the version and might want
those rows next: a deadlock, and PostgreSQL aborts one of the two. Now a trigger runs
before each statement and takes the version row before the statement touches any row;
a lone write then waits for the transaction holding the version with nothing in its
hands. Each write transaction (``db.transaction``) already takes the write lock before
anything else, so writers lock in one order: the write lock, the version, the rows.

Replacing a trigger takes an exclusive lock on its table, which waits for every reader
and could deadlock with a reader of two tables while other servers run. So m0018's
triggers stay and their function becomes a no-op, and the new ones are added beside
them (adding a trigger only waits for writers, as m0018's did). The list of tables is
written out again: a later change to m0018's must not change this step.
SQLite has one writer at a time and keeps its triggers.
"""

WATCHED = ("ticket", "message", "attachment", "participant", "user", "organization",
           "plan", "environment", "ticket_type", "product", "satisfaction", "sla_pause",
           "sla_policy", "calendar", "calendar_holiday")

STATEMENTS: list[str] = []

POSTGRES = [
    "CREATE OR REPLACE FUNCTION portal_bump_data_version() RETURNS trigger"
    " LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
    "CREATE FUNCTION portal_data_version_first() RETURNS trigger"
    " LANGUAGE plpgsql AS $$ BEGIN"
    " INSERT INTO data_version (name, value) VALUES ('data', 1)"
    " ON CONFLICT (name) DO UPDATE SET value = data_version.value + 1;"
    " RETURN NULL; END $$",
    *(f'CREATE TRIGGER {table}_data_version_first BEFORE INSERT OR UPDATE OR DELETE'
      f' ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION portal_data_version_first()'
      for table in WATCHED),
]
