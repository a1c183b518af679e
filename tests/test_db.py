"""The database helpers: queries composed once and run again."""

import pytest

from portal.accounts import services as accounts
from portal.accounts.models import Organization, User
from portal.db import Prepared, db
from tests import factories


def _statements(run):
    """The SQL statements ``run()`` sends to the database."""
    sent = []
    database = db.obj
    original = database.execute_sql

    def execute_sql(sql, params=None):
        sent.append(sql)
        return original(sql, params)

    database.execute_sql = execute_sql
    try:
        result = run()
    finally:
        del database.execute_sql
    return result, sent


def test_session_user_comes_with_its_organization_in_one_statement(app):
    acme = factories.org("acme")
    user = factories.user("mika@example.com", organization=acme)
    found, sent = _statements(lambda: accounts.user_for_session(user.get_id()))
    assert found.email == "mika@example.com"
    assert found.organization.slug == "acme"
    assert len(sent) == 1  # the join filled the organization in; no second lookup
    assert accounts.user_for_session(f"{user.id}:wrong-token") is None
    assert accounts.user_for_session(f"{user.id + 1000}:{user.session_token}") is None


def test_prepared_query_binds_new_parameters_each_time(app):
    factories.org("acme")
    factories.org("sakura")
    by_slug = Prepared(lambda slug: Organization.select().where(Organization.slug == slug), "x")
    assert [o.slug for o in by_slug.rows("acme")] == ["acme"]
    assert [o.slug for o in by_slug.rows("sakura")] == ["sakura"]
    assert by_slug.rows("nobody") == []


def test_prepared_query_refuses_parameters_it_cannot_place(app):
    # LIMIT adds a parameter of its own: the sample no longer matches what was composed.
    limited = Prepared(lambda email: User.select().where(User.email == email).limit(1), "x")
    with pytest.raises(ValueError, match="parameters came out as"):
        limited.rows("a@example.com")


def test_prepared_query_follows_a_rebound_database(tmp_path):
    from tests.conftest import make_app

    by_slug = Prepared(lambda slug: Organization.select().where(Organization.slug == slug), "x")
    make_app(tmp_path / "one")
    factories.org("acme")
    assert len(by_slug.rows("acme")) == 1
    make_app(tmp_path / "two")  # a new, empty database behind the same handle
    assert by_slug.rows("acme") == []
    db.close()
