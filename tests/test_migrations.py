"""The schema is created and upgraded in numbered steps, never losing data."""

from portal import migrations
from portal.accounts.models import Organization, User
from portal.bootstrap import prepare
from portal.db import bind, db
from tests.conftest import empty_database


def _tables() -> set[str]:
    return set(db.get_tables())


def test_init_twice_is_harmless(app):
    before = migrations.current_version()
    assert prepare() == []
    assert migrations.current_version() == before == migrations.steps()[-1].version
    assert db.execute_sql("SELECT COUNT(*) FROM plan").fetchone()[0] == 3


def test_default_plans_are_seeded_only_on_an_empty_database(app):
    db.execute_sql("UPDATE plan SET name_en = 'Gold' WHERE code = 'premium'")
    prepare()
    assert db.execute_sql("SELECT name_en FROM plan WHERE code = 'premium'").fetchone()[0] == "Gold"


def test_upgrade_keeps_rows_written_by_an_older_schema(tmp_path, app):
    bind(empty_database(tmp_path))
    db.connect()
    assert migrations.upgrade(target=1) == ["m0001_accounts"]
    assert "article" not in _tables()
    # Rows as the first release wrote them (its models knew fewer columns).
    db.execute_sql("INSERT INTO plan (code, name_en, name_ja) VALUES ('basic', 'Basic', 'B')")
    db.execute_sql("INSERT INTO organization (name, slug, plan_id, created_at)"
                   " VALUES ('Org keep-me', 'keep-me', 1, '2026-01-01 00:00:00')")
    db.execute_sql("INSERT INTO user (email, name, password_hash, role, organization_id,"
                   " org_role, session_token, created_at) VALUES ('keeper@example.com', 'K',"
                   " 'x', 'customer', 1, 'contact', 't', '2026-01-01 00:00:00')")

    applied = migrations.upgrade()

    assert applied[0] == "m0002_kb"
    assert Organization.get(Organization.slug == "keep-me").plan.default_severity == 3
    assert "article" in _tables()
    assert Organization.get(Organization.slug == "keep-me").name == "Org keep-me"
    assert User.get(User.email == "keeper@example.com").organization.slug == "keep-me"
    db.close()


def test_each_applied_step_is_recorded(app):
    rows = db.execute_sql("SELECT version, name FROM schema_version ORDER BY version").fetchall()
    assert [(s.version, s.name) for s in migrations.steps()] == rows
