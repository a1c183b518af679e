"""``portal migrate-data``: a whole portal into an empty database, checked table by table."""

import pytest

from portal.accounts.models import User
from portal.db import bind, db
from portal.tickets.models import Ticket
from tests import factories
from tests.conftest import ON_POSTGRES, empty_database


def _migrate(runner, source: str, target: str):
    return runner.invoke(args=["migrate-data", "--from", source, "--to", target])


def test_copies_everything_and_verifies_it(app, runner, demo, tmp_path):
    source = app.config["DATABASE"]
    users, tickets = User.select().count(), Ticket.select().count()
    target = empty_database(tmp_path)
    result = _migrate(runner, source, target)
    assert result.exit_code == 0, result.output
    assert "user: 9 rows, sha256" in result.output and "copied and verified" in result.output
    bind(target)
    db.connect()
    assert (User.select().count(), Ticket.select().count()) == (users, tickets)
    # New rows continue after the copied keys, and the search index came along.
    contact = User.get(User.email == "suzuki@acme.example")
    before = max(t.id for t in Ticket.select())
    assert factories.ticket(contact).id == before + 1
    from portal.kb import search

    assert search.search("ログイン", "ja")[0]
    db.close()


@pytest.mark.skipif(not ON_POSTGRES, reason="a PostgreSQL run copies across databases")
def test_postgresql_to_sqlite_and_back(app, runner, demo, tmp_path):
    sqlite_copy = str(tmp_path / "copy.db")
    assert _migrate(runner, app.config["DATABASE"], sqlite_copy).exit_code == 0
    again = empty_database(tmp_path)
    result = _migrate(runner, sqlite_copy, again)
    assert result.exit_code == 0, result.output
    bind(again)
    db.connect()
    assert Ticket.select().count() == 4
    db.close()


def test_refuses_a_target_that_holds_rows(app, runner, demo, tmp_path):
    target = empty_database(tmp_path)
    assert _migrate(runner, app.config["DATABASE"], target).exit_code == 0
    result = _migrate(runner, app.config["DATABASE"], target)
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: the target database")
    assert result.output.strip().endswith("is not empty")
    assert result.output.strip().count("\n") == 0
