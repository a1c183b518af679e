"""Concurrent replies to one ticket under `portal serve`, against DESIGN.md's budget.

    python bench/concurrent_replies.py [--threads 8] [--replies 200] [--workers 2]

Starts `portal serve` on a free loopback port with a fresh instance folder, signs in
one customer per thread, and has every thread post its replies to the same ticket as a
browser form would (CSRF token, redirect answer). It then counts what is stored, reads
the peak memory (VmHWM) of every worker, and exits 1 if any reply is missing, any answer
was an error, or a worker went over 150 MB. Every loop is bounded; the server is stopped.
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


def prepare(instance: Path, users: int) -> None:
    """An organization, ``users`` customers and the ticket they all reply to."""
    from portal import create_app
    from portal.accounts import services as accounts
    from portal.bootstrap import prepare as upgrade
    from portal.db import db
    from portal.tickets import filing

    create_app({"INSTANCE_PATH": str(instance)})
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
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--replies", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="madoguchi-bench-"))
    prepare(instance, args.threads)
    port = free_port()
    env = {**os.environ, "PORTAL_INSTANCE_PATH": str(instance), "PORTAL_TICK_SECONDS": "3600"}
    server = subprocess.Popen(
        [sys.executable, "-m", "portal", "serve", "--port", str(port), "--workers",
         str(args.workers), "--threads", "8"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    errors: list[str] = []
    latencies: list[float] = []
    lock = threading.Lock()
    try:
        wait_for(port)

        def run(n: int) -> None:
            browser = Browser(port)
            browser.sign_in(f"user{n}@bench.example")
            token = browser.token("/tickets/1")
            for i in range(args.replies):
                started = time.perf_counter()
                status, _ = browser.request("POST", "/tickets/1/messages", {
                    "csrf_token": token, "body": f"thread {n} reply {i}"})
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    if status != 302:
                        errors.append(f"thread {n} reply {i}: {status}")

        started = time.perf_counter()
        threads = [threading.Thread(target=run, args=(n,)) for n in range(args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
        wall = time.perf_counter() - started
        workers = children(server.pid)
        peaks = [peak_mb(pid) for pid in workers]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    from portal import create_app
    from portal.db import db
    from portal.tickets.models import Message

    create_app({"INSTANCE_PATH": str(instance)})
    db.connect(reuse_if_open=True)
    stored = Message.select().where((Message.kind == "reply")
                                    & Message.body.startswith("thread ")).count()
    expected = args.threads * args.replies
    latencies.sort()
    print(f"{args.threads} threads x {args.replies} replies, {args.workers} workers: "
          f"{stored} of {expected} stored, {len(errors)} errors, {wall:.1f} s "
          f"({expected / wall:.0f} replies/s)")
    print(f"reply latency p50 {statistics.median(latencies):.1f} ms, "
          f"p95 {latencies[int(0.95 * (len(latencies) - 1))]:.1f} ms, "
          f"max {latencies[-1]:.1f} ms")
    print("peak memory per worker: " + ", ".join(f"{p:.0f} MB" for p in peaks))
    failed = stored != expected or errors or any(p > MEMORY_BUDGET_MB for p in peaks)
    for line in errors[:5]:
        print("  " + line)
    print("budget:", "MISSED" if failed else "met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
