"""The data version (m0018, m0019) on PostgreSQL with several writers at once.

Every write to a watched table moves one row. The lock on it must never be taken after
a lock on the written rows, or two writers of the same rows in opposite order deadlock:
one of them (a reply, a sign-in) would fail with a server error.
"""

import threading
import time

import pytest

from portal.db import WRITE_LOCK, db
from tests import factories
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="several connections writing at once")


def _connect(app):
    import psycopg

    return psycopg.connect(app.config["DATABASE"], autocommit=True)


def _waiting(watcher, pid: int) -> bool:
    return watcher.execute("SELECT wait_event_type = 'Lock' FROM pg_stat_activity"
                           " WHERE pid = %s", (pid,)).fetchone()[0] is True


def _until(check, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.01)
    return False


def test_a_lone_write_and_a_write_transaction_on_the_same_row_both_succeed(app):
    """A transaction writes an organization (taking the version), then a user; a lone
    UPDATE of that user comes in between. With the version taken after the rows, the
    lone UPDATE held the user and waited for the version, the transaction waited for the
    user, and PostgreSQL aborted one of them."""
    acme = factories.org("acme")
    user = factories.user("mika@example.com", organization=acme)
    db.close()  # this test's own connections only
    long, lone, watcher = _connect(app), _connect(app), _connect(app)
    failed: list[Exception] = []

    def lone_update() -> None:
        try:
            lone.execute('UPDATE "user" SET name = %s WHERE id = %s', ("Lone", user.id))
        except Exception as err:  # the assertion below names it
            failed.append(err)

    try:
        with long.transaction():
            long.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            long.execute("UPDATE organization SET name = %s WHERE id = %s", ("Acme 2", acme.id))
            other = threading.Thread(target=lone_update)
            other.start()
            lone_pid = lone.info.backend_pid
            assert _until(lambda: _waiting(watcher, lone_pid)), "the lone write never waited"
            long.execute('UPDATE "user" SET name = %s WHERE id = %s', ("Long", user.id))
        other.join(10)
        assert not other.is_alive()
        assert failed == []
        # The lone write waited for the whole transaction, so it came last.
        name = watcher.execute('SELECT name FROM "user" WHERE id = %s', (user.id,)).fetchone()[0]
        assert name == "Lone"
    finally:
        for connection in (long, lone, watcher):
            connection.close()


def test_the_version_is_taken_before_any_row_on_every_watched_table(app):
    """One trigger per watched table, run before the statement; m0018's (run after it)
    do nothing any more."""
    from portal.migrations.m0018_data_version import WATCHED

    rows = db.execute_sql(
        "SELECT event_object_table, action_timing, action_statement"
        " FROM information_schema.triggers WHERE trigger_name LIKE %s",
        ("%data_version%",)).fetchall()
    versioned = {table for table, timing, action in rows
                 if timing == "BEFORE" and "portal_data_version_first" in action}
    assert versioned == set(WATCHED)
    stale = db.execute_sql("SELECT prosrc FROM pg_proc WHERE proname ="
                           " 'portal_bump_data_version'").fetchone()[0]
    assert "data_version" not in stale
