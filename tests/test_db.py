"""The database helpers: queries composed once and run again."""

import pytest

from portal.accounts import services as accounts
from portal.accounts.models import Organization, User
from portal.db import Prepared, db
from portal.kb import search
from tests import factories
from tests.conftest import ON_POSTGRES


def _statements(run):
    """The SQL statements ``run()`` sends to the database."""
    sent = []
    database = db.obj
    # On PostgreSQL a statement run again and again goes through execute_prepared.
    names = [n for n in ("execute_sql", "execute_prepared") if hasattr(database, n)]

    def counting(original):
        def execute(sql, params=None):
            sent.append(sql)
            return original(sql, params)
        return execute

    for name in names:
        setattr(database, name, counting(getattr(database, name)))
    try:
        result = run()
    finally:
        for name in names:
            delattr(database, name)
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


@pytest.mark.skipif(not ON_POSTGRES, reason="server-side prepared statements")
def test_lookups_made_on_every_request_are_prepared_once_per_connection(app):
    acme = factories.org("acme")
    user = factories.user("mika@example.com", organization=acme)
    factories.article("請求書の再発行", body="請求書を再発行する手順。")

    def prepared() -> list[str]:
        return [row[0] for row in db.execute_sql(
            "SELECT statement FROM pg_prepared_statements").fetchall()]

    def lookups() -> None:
        assert accounts.user_for_session(user.get_id()).email == "mika@example.com"
        assert [h.title for h in search.search("請求書", "ja")[0]] == ["請求書の再発行"]

    lookups()
    first = prepared()
    assert any('FROM "user"' in s and "session_token" in s for s in first)
    assert any("WITH w0 AS MATERIALIZED" in s for s in first)  # the search's steps
    assert any(s.startswith("SELECT id, slug, title") for s in first)  # the hits shown
    lookups()
    # The second round ran them by name, without parsing or planning them again.
    assert sorted(prepared()) == sorted(first)
