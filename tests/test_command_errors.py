"""Every `portal` command answers an error with one line on stderr, never a traceback."""

import subprocess
import sys

import pytest


def _portal(tmp_path, *args, stdin: bytes = b"", **env) -> subprocess.CompletedProcess:
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                   "PORTAL_INSTANCE_PATH": str(tmp_path / "inst"), **env}
    return subprocess.run([sys.executable, "-m", "portal", *args], env=environment,
                          input=stdin, capture_output=True, timeout=60)


def _one_line(done: subprocess.CompletedProcess) -> str:
    err = done.stderr.decode()
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_backup_into_a_missing_folder(tmp_path):
    missing = tmp_path / "no" / "such" / "dir"
    done = _portal(tmp_path, "backup", str(missing / "x.db"))
    assert done.returncode == 1
    assert f"{missing} does not exist" in _one_line(done)
    assert not (tmp_path / "no").exists()  # a mistyped folder is not made


@pytest.mark.parametrize("args, says", [
    (["deactivate-org", "nowhere"], "no organization nowhere"),
    (["deactivate-user", "ghost@example.com"], "no user ghost@example.com"),
    (["create-user", "--email", "a@b.example", "--name", "A", "--role", "customer",
      "--org", "nowhere", "--password", "pw123456"], "no organization nowhere"),
])
def test_unknown_names(tmp_path, args, says):
    done = _portal(tmp_path, *args)
    assert done.returncode == 1
    assert says in _one_line(done)


def test_a_usage_error_shows_the_usage_and_no_traceback(tmp_path):
    done = _portal(tmp_path, "import-articles", "/no/such/folder")
    err = done.stderr.decode()
    assert done.returncode == 2 and "Traceback" not in err
    assert err.strip().splitlines()[-1].endswith("'/no/such/folder' does not exist.")


def test_mail_ingest_with_nothing_on_standard_input(tmp_path):
    done = _portal(tmp_path, "mail-ingest", stdin=b"")
    assert done.returncode == 1 and "no message" in _one_line(done)


def test_mail_ingest_of_garbage_is_refused_not_crashed(tmp_path):
    done = _portal(tmp_path, "mail-ingest", stdin=b"\x00\xff\xfe not a mail at all")
    assert done.returncode == 0 and done.stdout.decode().startswith("rejected")


def test_mail_ingest_asks_the_mta_to_retry_when_the_database_is_away(tmp_path):
    (tmp_path / "afile").write_text("")
    done = _portal(tmp_path, "mail-ingest", stdin=b"From: a@b.example\r\n\r\nhello\r\n",
                   PORTAL_DATABASE=str(tmp_path / "afile" / "portal.db"))
    assert done.returncode == 75  # EX_TEMPFAIL: the MTA keeps the mail and tries again
    _one_line(done)


def test_an_unexpected_error_is_one_line_too(runner, monkeypatch):
    from portal import backup

    def broken(path):
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(backup, "backup_to", broken)
    result = runner.invoke(args=["backup", "/tmp/x.db"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == ["Error: RuntimeError: disk on fire"]
