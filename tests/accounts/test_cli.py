"""The `portal` commands: set-up, people, organizations, backups."""

import sqlite3
import subprocess
import sys

import pytest

from portal.accounts.models import Organization, User
from portal.kb.models import Article
from tests.conftest import ON_POSTGRES, only_sqlite


def run(runner, *args):
    return runner.invoke(args=list(args), catch_exceptions=False)


def test_init_reports_the_schema_version(runner):
    from portal import migrations

    result = run(runner, "init")
    assert result.exit_code == 0
    assert f"schema version {migrations.steps()[-1].version}" in result.output


def test_create_org_and_user(runner, app):
    assert run(runner, "create-org", "--name", "Acme", "--slug", "acme", "--plan", "premium",
               "--trial").exit_code == 0
    result = run(runner, "create-user", "--email", "Boss@Acme.example", "--name", "Boss",
                 "--role", "customer", "--org", "acme", "--org-role", "org_admin",
                 "--locale", "en", "--password", "s3cret-pass")
    assert result.exit_code == 0, result.output
    user = User.get(User.email == "boss@acme.example")
    assert (user.org_role, user.locale, user.organization.trial) == ("org_admin", "en", True)
    assert user.password_hash.startswith("scrypt:")


@pytest.mark.parametrize("args, message", [
    (["create-org", "--name", "X", "--slug", "x", "--plan", "gold"], "no plan called gold"),
    (["create-org", "--name", "X", "--slug", "Bad Slug", "--plan", "basic"], "slug"),
    (["create-user", "--email", "a@b.example", "--name", "A", "--role", "customer",
      "--org", "nowhere", "--password", "pw123456"], "no organization nowhere"),
    (["create-user", "--email", "a@b.example", "--name", "A", "--role", "wizard",
      "--password", "pw123456"], "role must be one of"),
    (["create-user", "--email", "a@b.example", "--name", "A", "--role", "customer",
      "--password", "pw123456"], "must belong to an organization"),
    (["create-user", "--email", "not-an-address", "--name", "A", "--role", "agent",
      "--password", "pw123456"], "not an e-mail address"),
])
def test_bad_input_fails_with_one_clear_line(runner, args, message):
    result = run(runner, *args)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]


def test_duplicate_email_is_refused_even_in_another_form(runner):
    run(runner, "create-user", "--email", "agent@example.com", "--name", "A", "--role", "agent",
        "--password", "pw123456")
    for variant in ("AGENT@example.com", "ａｇｅｎｔ@ｅｘａｍｐｌｅ.ｃｏｍ"):
        result = run(runner, "create-user", "--email", variant, "--name", "B", "--role",
                     "agent", "--password", "pw123456")
        assert result.exit_code == 1
        assert "already exists" in result.output
    assert User.select().count() == 1


def test_deactivate_and_activate_user(runner, app):
    run(runner, "create-user", "--email", "a@example.com", "--name", "A", "--role", "agent",
        "--password", "pw123456")
    assert run(runner, "deactivate-user", "A@example.com").exit_code == 0
    assert User.get(User.email == "a@example.com").active is False
    assert run(runner, "activate-user", "a@example.com").exit_code == 0
    assert User.get(User.email == "a@example.com").active is True
    assert run(runner, "deactivate-user", "ghost@example.com").exit_code == 1


def test_deactivate_org(runner):
    run(runner, "create-org", "--name", "Acme", "--slug", "acme", "--plan", "basic")
    assert run(runner, "deactivate-org", "acme").exit_code == 0
    assert Organization.get(Organization.slug == "acme").active is False
    assert run(runner, "deactivate-org", "nobody").exit_code == 1


def test_demo_is_idempotent(runner):
    first = run(runner, "demo")
    counts = (User.select().count(), Organization.select().count(), Article.select().count())
    second = run(runner, "demo")
    assert first.exit_code == second.exit_code == 0
    assert "demo-pass-2026" in first.output
    assert counts == (User.select().count(), Organization.select().count(),
                      Article.select().count())
    assert counts[0] >= 6 and counts[1] == 3 and counts[2] >= 30
    roles = {(u.role, u.org_role) for u in User.select()}
    assert {("admin", None), ("agent", None), ("customer", "org_admin"),
            ("customer", "contact"), ("customer", "member")} <= roles
    assert Organization.select().where(Organization.trial).count() == 1


@only_sqlite  # PostgreSQL is backed up with pg_dump: the next test checks the refusal
def test_backup_is_a_plain_consistent_sqlite_file(runner, tmp_path):
    run(runner, "demo")
    target = tmp_path / "copies" / "portal-backup.db"
    target.parent.mkdir()
    result = run(runner, "backup", str(target))
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert copy.execute("SELECT COUNT(*) FROM user").fetchone()[0] == User.select().count()
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()


@pytest.mark.skipif(not ON_POSTGRES, reason="a PostgreSQL run checks its refusal")
def test_backup_of_postgresql_is_refused_in_one_line(runner, tmp_path):
    result = run(runner, "backup", str(tmp_path / "x.db"))
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert "Backups of a non-SQLite database" in result.output


def test_console_script_works_from_a_fresh_folder(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "PORTAL_INSTANCE_PATH": str(tmp_path / "inst"),
           "HOME": str(tmp_path)}
    for args in (["init"], ["create-org", "--name", "N", "--slug", "n", "--plan", "basic"]):
        done = subprocess.run([sys.executable, "-m", "portal", *args], env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "inst" / "portal.db").exists()
