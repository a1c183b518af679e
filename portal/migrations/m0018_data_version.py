"""One number that moves with every write to what the staff pages show.

The staff queue and ticket page keep rendered parts per worker (``portal.fragments``),
each under the ``data_version`` row read at the start of the request. A
trigger on each table those pages read adds one to it in the same transaction as the
write, whichever process, server or tool (the CLI, a restore, a hand-written UPDATE)
made it; so the number is visible exactly when the write is, on SQLite and on
PostgreSQL with several app servers. Writers already take turns (``db.transaction``),
so the one row adds no waiting of its own to them.

Triggers are each database's own dialect: SQLite's fire per row (an UPDATE of the row
by its key, a few microseconds), PostgreSQL's once per statement.
"""

WATCHED = ("ticket", "message", "attachment", "participant", "user", "organization",
           "plan", "environment", "ticket_type", "product", "satisfaction", "sla_pause",
           "sla_policy", "calendar", "calendar_holiday")

# Its own table, not ``counter``: a data move copies ``counter`` and checks the copy,
# while this number moves with the copying itself (``portal.datamove`` skips it).
STATEMENTS = [
    "CREATE TABLE data_version (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "INSERT INTO data_version (name, value) VALUES ('data', 0)",
]

SQLITE = [
    f'CREATE TRIGGER {table}_{event.lower()}_data_version AFTER {event} ON "{table}"'  # noqa: S608  (names from WATCHED)
    " BEGIN INSERT INTO data_version (name, value) VALUES ('data', 1)"
    " ON CONFLICT (name) DO UPDATE SET value = value + 1; END"
    for table in WATCHED for event in ("INSERT", "UPDATE", "DELETE")
]

POSTGRES = [
    "CREATE OR REPLACE FUNCTION portal_bump_data_version() RETURNS trigger"
    " LANGUAGE plpgsql AS $$ BEGIN"
    " INSERT INTO data_version (name, value) VALUES ('data', 1)"
    " ON CONFLICT (name) DO UPDATE SET value = data_version.value + 1;"
    " RETURN NULL; END $$",
    *(f'CREATE TRIGGER {table}_data_version AFTER INSERT OR UPDATE OR DELETE ON "{table}"'
      " FOR EACH STATEMENT EXECUTE FUNCTION portal_bump_data_version()"
      for table in WATCHED),
]
