"""Concurrent replies to one ticket under `portal serve`, against DESIGN.md's budget.

    python bench/concurrent_replies.py [--threads 8] [--replies 200] [--workers 2]
    python bench/concurrent_replies.py --database postgresql://postgres@127.0.0.1/test \
        --servers 2

Starts `portal serve` on a free loopback port with a fresh instance folder, signs in
one customer per thread, and has every thread post its replies to the same ticket as a
browser form would (CSRF token, redirect answer). It then counts what is stored, reads
the peak memory (VmHWM) of every worker, and exits 1 if any reply is missing, any answer
was an error, or a worker went over 150 MB. Every loop is bounded; the server is stopped.

With ``--database`` (a PostgreSQL server's URL) it runs twice in one go: first on
SQLite with one server, then on a fresh database ``madoguchi_bench_replies`` on that
server with ``--servers`` servers of ``--workers`` workers each, the threads spread
across them, and prints both sets of figures.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

PASSWORD = "bench-password-1"
MEMORY_BUDGET_MB = 150
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(instance: Path, users: int, database: str = "") -> None:
    """An organization, ``users`` customers and the ticket they all reply to."""
    from portal import create_app
    from portal.accounts import services as accounts
    from portal.bootstrap import prepare as upgrade
    from portal.db import db
    from portal.tickets import filing

    create_app({"INSTANCE_PATH": str(instance), **({"DATABASE": database} if database else {})})
    db.connect(reuse_if_open=True)
    upgrade()
    accounts.create_org("Bench Inc.", "bench", "premium")
    people = [accounts.create_user(f"user{i}@bench.example", f"User {i}", "customer", PASSWORD,
                                   org="bench", org_role="org_admin") for i in range(users)]
    filing.file_ticket(people[0], filing.TicketInput(
        type="question", severity="3", subject="Load test", description="Start"))
    db.close()


class Browser:
    """One signed-in session over one keep-alive connection."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("madoguchi_session="):
                self.cookie = value.split(";", 1)[0]
        return response.status, data.decode("utf-8", "replace")

    def token(self, path: str) -> str:
        status, html = self.request("GET", path)
        return CSRF.search(html).group(1)

    def sign_in(self, email: str) -> None:
        token = self.token("/login")
        status, _ = self.request("POST", "/login", {"csrf_token": token, "email": email,
                                                    "password": PASSWORD})
        if status != 302:
            raise RuntimeError(f"sign-in of {email} answered {status}")


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            finally:
                conn.close()
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                out.append(int(entry.name))
    return out


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def fresh_postgres(server: str, name: str = "madoguchi_bench_replies") -> str:
    import psycopg

    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return server.rpartition("/")[0] + "/" + name


def run(threads: int, replies: int, workers: int, servers: int = 1,
        database: str = "") -> dict:
    """Start ``servers`` servers on one database, post the replies, count what is stored."""
    instance = Path(tempfile.mkdtemp(prefix="madoguchi-bench-"))
    prepare(instance, threads, database)
    env = {**os.environ, "PORTAL_INSTANCE_PATH": str(instance), "PORTAL_TICK_SECONDS": "3600"}
    if database:
        env["PORTAL_DATABASE"] = database
    ports = [free_port() for _ in range(servers)]
    log = open(instance / "serve.log", "w")  # noqa: SIM115  (the servers write to it)
    processes = [subprocess.Popen(
        [sys.executable, "-m", "portal", "serve", "--port", str(port), "--workers",
         str(workers), "--threads", "8"],
        env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
        for port in ports]
    errors: list[str] = []
    latencies: list[float] = []
    lock = threading.Lock()
    try:
        for port in ports:
            wait_for(port)

        def post(n: int) -> None:
            try:
                browser = Browser(ports[n % servers])
                browser.sign_in(f"user{n}@bench.example")
                token = browser.token("/tickets/1")
            except Exception as err:  # counted, not raised
                with lock:
                    errors.append(f"thread {n}: {err}")
                return
            for i in range(replies):
                started = time.perf_counter()
                try:
                    status, _ = browser.request("POST", "/tickets/1/messages", {
                        "csrf_token": token, "body": f"thread {n} reply {i}"})
                except OSError as err:
                    status = str(err)
                    browser.conn.close()
                    browser = Browser(ports[n % servers])
                    browser.sign_in(f"user{n}@bench.example")
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    if status != 302:
                        errors.append(f"thread {n} reply {i}: {status}")
            browser.conn.close()

        started = time.perf_counter()
        workers_threads = [threading.Thread(target=post, args=(n,)) for n in range(threads)]
        for t in workers_threads:
            t.start()
        for t in workers_threads:
            t.join(timeout=600)
        wall = time.perf_counter() - started
        peaks = [peak_mb(pid) for process in processes for pid in children(process.pid)]
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
        log.close()

    from portal import create_app
    from portal.db import db
    from portal.tickets.models import Message

    create_app({"INSTANCE_PATH": str(instance), **({"DATABASE": database} if database else {})})
    db.connect(reuse_if_open=True)
    stored = Message.select().where((Message.kind == "reply")
                                    & Message.body.startswith("thread ")).count()
    db.close()
    latencies.sort() if latencies else latencies.append(0.0)
    return {"log": instance / "serve.log", "stored": stored, "expected": threads * replies,
            "errors": errors, "wall": wall,
            "p50": statistics.median(latencies),
            "p95": latencies[int(0.95 * (len(latencies) - 1))], "max": latencies[-1],
            "peaks": peaks}


def report(label: str, result: dict) -> bool:
    """Print one run's figures; True when it met the budget."""
    expected, wall = result["expected"], result["wall"]
    print(f"{label}: {result['stored']} of {expected} stored, {len(result['errors'])} errors, "
          f"{wall:.1f} s ({expected / wall:.0f} replies/s)")
    print(f"  reply latency p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms, "
          f"max {result['max']:.1f} ms")
    print("  peak memory per process (workers, job process): "
          + ", ".join(f"{p:.0f} MB" for p in result["peaks"]))
    for line in result["errors"][:5]:
        print("    " + line)
    if result["errors"]:
        print(f"    (server log: {result['log']})")
    return not (result["stored"] != expected or result["errors"]
                or any(p > MEMORY_BUDGET_MB for p in result["peaks"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--replies", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--servers", type=int, default=2,
                        help="servers sharing the PostgreSQL database (with --database)")
    parser.add_argument("--database", default="",
                        help="a postgresql:// URL: also run on that server, after SQLite")
    args = parser.parse_args()

    label = f"{args.threads} threads x {args.replies} replies"
    met = report(f"SQLite, 1 server x {args.workers} workers, {label}",
                 run(args.threads, args.replies, args.workers))
    if args.database:
        database = fresh_postgres(args.database)
        met &= report(f"PostgreSQL, {args.servers} servers x {args.workers} workers, {label}",
                      run(args.threads, args.replies, args.workers, args.servers, database))
    print("budget:", "met" if met else "MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
