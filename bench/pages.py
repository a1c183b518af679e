"""Every hot page under `portal serve`, side by side with a bare Flask "hello" ceiling.

    python bench/pages.py [--seconds 2] [--rounds 2] [--threads 4] [--scale 10000]

Builds (once, cached in bench/.work) a database with one organization, 20 customers,
an agent, 2,000 tickets of 5 messages each and 200 articles in 10 categories, and a copy
of it with ``--scale`` articles. Starts `portal serve --workers 2` on the first, and a
bare Flask app answering "hello" under the same gunicorn settings
(``portal.serve.gunicorn_options``). Then, round after round, drives each page for
``--seconds`` with ``--threads`` client threads over keep-alive loopback connections,
each page run right after a run of the ceiling, and prints req/s, p50 and p95 per page
and its ratio to the ceiling measured just before it. These machines are noisy and
shared, so only same-run ratios count; the figures are the medians over the rounds.

Last, `/kb/` is served from the big database by a second `portal serve` and compared
with `/kb/` on the small one, interleaved, the two taking turns to go first (with
``--cpu`` also by their server CPU per request).

With ``--cpu N`` it also prints each page's server CPU per request: N requests one after
another on one connection, the CPU time the server's processes used (from /proc), best of
three. That figure hardly moves with the machine's load, so it compares two versions
better than req/s on a shared machine; the "hello" line is the ceiling's own.

Budgets (ratio to the ceiling): article page, new-request form and `/kb/` ≥ 0.5; staff
ticket page ≥ 0.4; staff queue ≥ 0.3; `/kb/` at ``--scale`` articles within 10 % of its
figure at 200. Exit status 1 if one is missed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from concurrent_replies import Browser, children, free_port, wait_for  # noqa: E402

PASSWORD = "bench-password-1"
TICKETS, MESSAGES, ARTICLES, CATEGORIES = 2000, 5, 200, 10
BUDGETS = {"staff queue": 0.3, "staff ticket page": 0.4, "/kb/": 0.5, "article page": 0.5,
           "new-request form": 0.5}
SCALE_TOLERANCE = 0.10
HELLO = ("from flask import Flask\nfrom portal.serve import serve_plain\n"
         "app = Flask('hello')\napp.route('/')(lambda: 'hello')\n"
         "serve_plain(app, '127.0.0.1', {port}, workers={workers})\n")


def _app(work: Path):
    from portal import create_app
    from portal.bootstrap import prepare
    from portal.db import db

    app = create_app({"INSTANCE_PATH": str(work), "SECRET_KEY": "bench",
                      "PASSWORD_HASH": "scrypt:1024:8:1"})
    db.connect(reuse_if_open=True)
    prepare()
    return app


def build(work: Path) -> None:
    """The 2,000-ticket, 200-article database (kept between runs)."""
    if (work / "built").exists():
        return
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    _app(work)
    import corpus

    from portal.accounts import services as accounts
    from portal.db import db
    from portal.kb import services as kb
    from portal.text import render_markdown

    accounts.create_org("Bench Org", "bench", "premium")
    customers = [accounts.create_user(f"c{i}@bench.example", f"Customer {i}", "customer",
                                      PASSWORD, org="bench", org_role="contact")
                 for i in range(20)]
    agent = accounts.create_user("agent@bench.example", "Agent", "agent", PASSWORD)
    type_id = db.execute_sql("SELECT id FROM ticket_type WHERE code = 'question'").fetchone()[0]
    texts = [(f"返信 {i}: まだ発生しています。ログを添付します。",
              f"Reply {i}: we looked at it.\n\n```\nlog line {i}\n```\n\nPlease try **again**.")
             for i in range(4)]
    html = {t: render_markdown(t) for pair in texts for t in pair}
    statuses = ["new", "investigating", "waiting_on_customer", "resolved", "closed"]
    base = datetime(2026, 1, 1)
    tickets, messages = [], []
    for n in range(1, TICKETS + 1):
        who = customers[n % 20]
        at = base + timedelta(minutes=n * 7)
        tickets.append((n, who.organization_id, who.id, who.id, type_id, 3, 3,
                        statuses[n % 5], f"Ticket number {n}: the export is slow", agent.id,
                        at, at, at, at))
        for m in range(MESSAGES):
            text = texts[m % 4][m % 2] if m else f"## What happened\n\nTicket {n}: slow export."
            messages.append((n, agent.id if m % 2 else who.id, "reply", text,
                             html.get(text) or render_markdown(text), at + timedelta(hours=m)))
    with db.atomic():
        conn = db.connection()
        conn.executemany(
            "INSERT INTO ticket (number, organization_id, requester_id, created_by_id, type_id,"
            " severity, priority, status, subject, assignee_id, created_at, updated_at,"
            " last_activity_at, status_changed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            tickets)
        conn.executemany(
            "INSERT INTO message (ticket_id, author_id, kind, body, body_html, created_at)"
            " SELECT id, ?, ?, ?, ?, ? FROM ticket WHERE number = ?",
            [(a, k, b, h, at, n) for n, a, k, b, h, at in messages])
        db.execute_sql("INSERT INTO counter (name, value) VALUES ('ticket', ?)", (TICKETS,))
    for i in range(CATEGORIES):
        kb.ensure_category(f"cat{i}", corpus.PRODUCTS[i], corpus.PRODUCTS_EN[i])
    for i, article in enumerate(corpus.articles(ARTICLES)):
        names = corpus.PRODUCTS if article["language"] == "ja" else corpus.PRODUCTS_EN
        kb.save_article(kb.ArticleInput(
            title=article["title"], body=article["body"], kind=article["kind"],
            language=article["language"], category=names[i % CATEGORIES],
            status="published", slug=f"a{i}"))
    db.execute_sql("UPDATE article SET views = (id * 7919) % 1000")
    db.execute_sql("VACUUM")
    db.close()
    (work / "built").write_text("ok")


def build_scaled(small: Path, work: Path, count: int) -> None:
    """A copy of the small database with ``count`` articles (counts kept, index not)."""
    if (work / "built").exists():
        return
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for name in ("portal.db", "secret_key"):
        if (small / name).exists():
            shutil.copy(small / name, work / name)
    _app(work)
    import corpus

    from portal.db import db

    cats = dict(db.execute_sql("SELECT name_ja, id FROM category").fetchall())
    cats.update(db.execute_sql("SELECT name_en, id FROM category").fetchall())
    rows = []
    for i, article in enumerate(corpus.articles(count - ARTICLES, seed=11)):
        names = corpus.PRODUCTS if article["language"] == "ja" else corpus.PRODUCTS_EN
        rows.append((f"s{i}", article["title"], article["body"], article["body"],
                     article["body"], article["kind"], cats[names[i % CATEGORIES]],
                     article["language"], "published", (i * 7919) % 1000,
                     "2026-01-01 00:00:00", "2026-01-01 00:00:00"))
    with db.atomic():
        db.connection().executemany(
            "INSERT INTO article (slug, title, body, body_html, plain, kind, category_id,"
            " language, status, views, created_at, updated_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        db.execute_sql(
            "UPDATE category SET"
            " count_ja = (SELECT COUNT(*) FROM article a WHERE a.category_id = category.id"
            "  AND a.status = 'published' AND a.language = 'ja'),"
            " count_en = (SELECT COUNT(*) FROM article a WHERE a.category_id = category.id"
            "  AND a.status = 'published' AND a.language = 'en')")
    db.execute_sql("ANALYZE")
    db.close()
    (work / "built").write_text("ok")


class Server:
    """A server process in its own session, stopped (by its process group) on exit."""

    def __init__(self, args: list[str], env: dict, port: int, log: Path):
        self.port = port
        self.log = open(log, "w")  # noqa: SIM115  (the server writes to it)
        self.process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                                        stderr=self.log, start_new_session=True)
        wait_for(port) if "portal" in args else _wait_root(port)

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def _wait_root(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the hello server did not start")


def portal_server(work: Path, workers: int) -> Server:
    port = free_port()
    env = {**os.environ, "PORTAL_INSTANCE_PATH": str(work), "PORTAL_SECRET_KEY": "bench",
           "PYTHONPATH": str(HERE.parent)}
    return Server([sys.executable, "-m", "portal", "serve", "--port", str(port),
                   "--workers", str(workers)], env, port, work / "serve.log")


def hello_server(work: Path, workers: int) -> Server:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    return Server([sys.executable, "-c", HELLO.format(port=port, workers=workers)], env, port,
                  work / "hello.log")


def drive(port: int, path: str, cookie: str, seconds: float, threads: int) -> dict:
    """``threads`` clients, each on its own keep-alive connection, for ``seconds``."""
    samples: list[list[float]] = [[] for _ in range(threads)]
    errors: list[str] = []
    deadline = time.perf_counter() + seconds

    def client(out: list[float]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": cookie} if cookie else {}
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            out.append(time.perf_counter() - started)
            if response.status != 200:
                errors.append(f"{path}: {response.status}")
                return
        conn.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(out,)) for out in samples]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(errors[0])
    times = sorted(t for out in samples for t in out)
    return {"rate": len(times) / elapsed, "p50": statistics.median(times) * 1000,
            "p95": times[int(0.95 * (len(times) - 1))] * 1000}


def _cpu_seconds(pid: int) -> float:
    """CPU time used so far by ``pid``'s processes (it and its children)."""
    total = 0
    for member in [pid, *children(pid)]:
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def cpu_per_request(server: Server, path: str, cookie: str, count: int) -> float:
    """Milliseconds of the server's CPU per request, ``count`` requests in a row."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    best = float("inf")
    for _ in range(3):
        before = _cpu_seconds(server.process.pid)
        for _ in range(count):
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status}")
        best = min(best, (_cpu_seconds(server.process.pid) - before) / count * 1000)
    conn.close()
    return best


def signed_in(port: int, email: str | None) -> str:
    """A browser's session cookie, signed in as ``email`` (None: a visitor), after one
    page was opened, as a browser's session is: the page after signing in shows "Signed
    in as…" once and gives the session its CSRF token. (The cookie of the sign-in's
    answer alone still holds that message, and no token: each page then showed the
    message again and signed a new cookie, which no browser does.)"""
    browser = Browser(port)
    if email:
        browser.sign_in(email)
    browser.request("GET", "/kb/")
    return browser.cookie


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--cpu", type=int, default=0, metavar="N",
                        help="also each page's server CPU per request, N requests in a row")
    args = parser.parse_args()
    small, big = HERE / ".work" / "pages", HERE / ".work" / f"pages{args.scale}"
    build(small)
    build_scaled(small, big, args.scale)
    servers = [hello_server(small, args.workers), portal_server(small, args.workers)]
    try:
        hello, portal = servers[0].port, servers[1].port
        agent, customer = signed_in(portal, "agent@bench.example"), signed_in(portal,
                                                                              "c1@bench.example")
        visitor = signed_in(portal, None)
        pages = [("staff queue", "/staff/", agent), ("staff ticket page", "/tickets/42", agent),
                 ("/kb/", "/kb/", visitor), ("article page", "/kb/a7", visitor),
                 ("new-request form", "/tickets/new", customer)]
        for _, path, cookie in pages:  # warm every worker's caches
            drive(portal, path, cookie, 0.3, args.threads)
        results: dict[str, list[tuple[dict, dict]]] = {name: [] for name, _, _ in pages}
        for _ in range(args.rounds):
            for name, path, cookie in pages:
                ceiling = drive(hello, "/", "", args.seconds, args.threads)
                results[name].append((drive(portal, path, cookie, args.seconds, args.threads),
                                      ceiling))
        print(f"== {TICKETS:,} tickets x {MESSAGES} messages, {ARTICLES} articles; "
              f"{args.workers} workers, {args.threads} clients, {args.rounds} rounds of "
              f"{args.seconds:g} s")
        print(f"  {'page':<20} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'ceiling':>8} "
              f"{'ratio':>6}  budget")
        met = True
        for name, runs in results.items():
            ratio = statistics.median(page["rate"] / ceil["rate"] for page, ceil in runs)
            ok = ratio >= BUDGETS[name]
            met &= ok
            print(f"  {name:<20} {statistics.median(p['rate'] for p, _ in runs):7.0f} "
                  f"{statistics.median(p['p50'] for p, _ in runs):7.1f} "
                  f"{statistics.median(p['p95'] for p, _ in runs):7.1f} "
                  f"{statistics.median(c['rate'] for _, c in runs):8.0f} {ratio:6.2f}  "
                  f"≥ {BUDGETS[name]} {'met' if ok else 'MISSED'}")
        if args.cpu:
            print(f"  server CPU per request, {args.cpu} requests in a row (best of 3):")
            hello_cpu = cpu_per_request(servers[0], "/", "", args.cpu)
            print(f"  {'hello (the ceiling)':<20} {hello_cpu:6.2f} ms")
            for name, path, cookie in pages:
                used = cpu_per_request(servers[1], path, cookie, args.cpu)
                print(f"  {name:<20} {used:6.2f} ms  (hello ÷ page {hello_cpu / used:.2f})")
        servers[0].stop()
        servers.append(portal_server(big, args.workers))
        scaled = servers[-1].port
        scaled_visitor = signed_in(scaled, None)
        drive(scaled, "/kb/", scaled_visitor, 0.3, args.threads)
        # The two alternate which goes first (the second of a pair met a burst of the
        # machine's load more often than the first).
        pairs = []
        for round_number in range(args.rounds):
            order = [(portal, visitor), (scaled, scaled_visitor)]
            if round_number % 2:
                order.reverse()
            runs = {port: drive(port, "/kb/", who, args.seconds, args.threads)
                    for port, who in order}
            pairs.append((runs[portal], runs[scaled]))
        ratio = statistics.median(b["rate"] / a["rate"] for a, b in pairs)
        ok = ratio >= 1 - SCALE_TOLERANCE
        met &= ok
        small_rate = statistics.median(a["rate"] for a, _ in pairs)
        big_rate = statistics.median(b["rate"] for _, b in pairs)
        print(f"  /kb/ at {ARTICLES} articles {small_rate:7.0f} req/s; at {args.scale:,}"
              f" {big_rate:7.0f} req/s: ratio {ratio:.2f} (≥ {1 - SCALE_TOLERANCE:.2f})"
              f" {'met' if ok else 'MISSED'}")
        if args.cpu:
            small_cpu = cpu_per_request(servers[1], "/kb/", visitor, args.cpu)
            big_cpu = cpu_per_request(servers[-1], "/kb/", scaled_visitor, args.cpu)
            print(f"  /kb/ server CPU per request: {small_cpu:.2f} ms at {ARTICLES} articles,"
                  f" {big_cpu:.2f} ms at {args.scale:,}")
        print("budgets:", "met" if met else "MISSED")
        return 0 if met else 1
    finally:
        for server in servers:
            if server.process.poll() is None:
                server.stop()


if __name__ == "__main__":
    sys.exit(main())
