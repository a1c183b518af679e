"""Background jobs under leases: one holder at a time, and a dead holder's job moves on."""

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from portal import jobs
from portal.db import db
from tests.conftest import ON_POSTGRES

T0 = datetime(2026, 5, 1, 9, 0)
ROOT = Path(__file__).resolve().parent.parent


def test_a_lease_has_one_holder_until_it_expires(app):
    assert jobs.acquire("tick", "server-a", 60, now=T0)
    assert not jobs.acquire("tick", "server-b", 60, now=T0 + timedelta(seconds=59))
    assert jobs.acquire("tick", "server-a", 60, now=T0 + timedelta(seconds=59))  # renewed
    assert not jobs.acquire("tick", "server-b", 60, now=T0 + timedelta(seconds=118))
    assert jobs.acquire("tick", "server-b", 60, now=T0 + timedelta(seconds=119))
    # The old holder, back from a pause, finds it taken and runs nothing.
    assert not jobs.acquire("tick", "server-a", 60, now=T0 + timedelta(seconds=120))
    assert jobs.JobLease.get_by_id("tick").owner == "server-b"


def test_leases_of_different_jobs_are_independent(app):
    assert jobs.acquire("tick", "server-a", 60, now=T0)
    assert jobs.acquire("mail-sender", "server-b", 60, now=T0)


def test_run_once_runs_only_for_the_holder_and_records_errors(app):
    ran = []
    assert jobs.run_once("tick", "server-a", 60, lambda: ran.append("a"))
    assert not jobs.run_once("tick", "server-b", 60, lambda: ran.append("b"))
    assert ran == ["a"]

    def broken():
        raise RuntimeError("smtp down")

    with pytest.raises(RuntimeError):
        jobs.run_once("tick", "server-a", 60, broken)
    assert jobs.JobLease.get_by_id("tick").last_error == "RuntimeError: smtp down"
    jobs.run_once("tick", "server-a", 60, lambda: None)
    assert jobs.JobLease.get_by_id("tick").last_error == ""


def test_released_lease_is_free_at_once(app):
    assert jobs.acquire("tick", "server-a", 600)
    jobs.release("tick", "server-a")
    assert jobs.acquire("tick", "server-b", 600)


def test_healthz_lists_the_leases(app, client):
    jobs.acquire("tick", "host:1:abc", 600)
    jobs.finished("tick", "host:1:abc")
    lines = client.get("/healthz").get_data(as_text=True).splitlines()
    assert lines[0] == "ok"
    (tick,) = [line for line in lines if line.startswith("lease tick:")]
    assert "held by host:1:abc until" in tick and "last run never" not in tick


def test_healthz_answers_503_when_the_database_is_gone(tmp_path, monkeypatch):
    from portal import db as portal_db
    from tests.conftest import make_app

    app = make_app(tmp_path)
    monkeypatch.setattr(portal_db, "healthy", lambda: False)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    db.close()


# --- real servers ---------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(app, tmp_path, name: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "PORTAL_INSTANCE_PATH": str(tmp_path / name),
           "PORTAL_DATABASE": app.config["DATABASE"],
           "PORTAL_SECRET_KEY": "test-secret", "PORTAL_TICK_SECONDS": "1",
           "PORTAL_MAIL_WORKER_SECONDS": "1", "PORTAL_LEASE_GRACE_SECONDS": "2"}
    return subprocess.Popen(
        [sys.executable, "-m", "portal", "serve", "--port", str(_free_port()),
         "--workers", "1", "--threads", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)


def _tick_holder_pid() -> int | None:
    db.connect(reuse_if_open=True)
    row = jobs.JobLease.get_or_none(jobs.JobLease.name == "tick")
    db.close()  # a fresh look at the database every time
    if row is None or not row.owner:
        return None
    return int(row.owner.split(":")[1])


def _wait_for(condition, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    return None


def test_killed_holder_job_resumes_on_the_other_server_within_one_lease(app, tmp_path):
    db.close()
    first = _serve(app, tmp_path, "one")
    second = None
    try:
        assert _wait_for(lambda: _tick_holder_pid() == first.pid, 60), "first never ran"
        second = _serve(app, tmp_path, "two")
        time.sleep(3)  # both run now; the lease keeps the tick on the first
        assert _tick_holder_pid() == first.pid
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        killed = time.monotonic()
        assert _wait_for(lambda: _tick_holder_pid() == second.pid, 30), "never taken over"
        # One lease period is the interval (1 s) plus the grace (2 s); allow for a
        # loaded machine's scheduling on top.
        assert time.monotonic() - killed < 3 + 3
    finally:
        for server in (first, second):
            if server is not None and server.poll() is None:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


@pytest.mark.skipif(not ON_POSTGRES, reason="a PostgreSQL run checks its own connection loss")
def test_a_dropped_connection_fails_one_request_and_the_next_reconnects(app, client):
    import psycopg

    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as in production, not raise

    def drop_connections() -> None:
        with psycopg.connect(app.config["DATABASE"], autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                          " WHERE datname = current_database() AND pid <> pg_backend_pid()")

    page = "/kb/search?q=invoice"  # rendered by Flask, reading the database
    assert client.get(page).status_code == 200  # the app's connection is open and kept
    drop_connections()
    first = client.get(page)
    assert first.status_code == 500  # the error page, not a hang or a traceback
    assert "Traceback" not in first.get_data(as_text=True)
    assert client.get(page).status_code == 200
    # A kept page answered before Flask leaves a failed answer to Flask, which reconnects.
    assert client.get("/kb/").status_code == 200
    drop_connections()
    assert client.get("/kb/").status_code == 200


def test_unreachable_database_at_start_is_one_line(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PORTAL_INSTANCE_PATH": str(tmp_path),
           "PORTAL_DATABASE": "postgresql://portal:secret@127.0.0.1:1/portal"}
    done = subprocess.run([sys.executable, "-m", "portal", "serve", "--port", "1"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0
    assert "database postgresql://portal:***@127.0.0.1:1/portal" in done.stderr
    assert "secret" not in done.stderr
