"""The agent's workspace at 200,000 tickets and 1,000,000 messages, against DESIGN.md.

    python bench/workspace.py [--tickets 200000]

Starts from bench/ticket_pages.py's database (built once, cached in bench/.work), copies
it and adds what a workspace reads: messages up to five per ticket, dates ending today,
first responses, who spoke last, escalations, SLA flags, per-day counters, articles and
deflections. Then, signed in as an agent with Flask's test client:

* the queue with all its view counts (each view, and filtered pages): p95 ≤ 40 ms;
* the dashboard: p95 ≤ 200 ms;
* a bulk change of 500 tickets: ≤ 2 s;
* a CSV export of 50,000 rows, streamed, in a fresh process: peak RSS < 150 MB.

Exit status 1 if any budget is missed.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from ticket_pages import PASSWORD, build, move_data_version, report, timed  # noqa: E402

from portal import create_app  # noqa: E402
from portal.bootstrap import prepare  # noqa: E402
from portal.db import db  # noqa: E402
from portal.serve import freeze_startup_objects  # noqa: E402

QUEUE_BUDGET, DASHBOARD_BUDGET, BULK_BUDGET_S, EXPORT_MB = 40.0, 200.0, 2.0, 150
EXPORT_ROWS = 50_000
QUEUE_URLS = ["/staff/", "/staff/?view=mine", "/staff/?view=unassigned",
              "/staff/?view=waiting", "/staff/?view=escalated", "/staff/?view=open",
              "/staff/?view=solved", "/staff/?view=waiting&severity=1",
              "/staff/?view=unassigned&org=org3", "/staff/?view=mine&sort=oldest"]


def workspace_db(count: int) -> Path:
    """A copy of ticket_pages' database with the workspace's data added (cached)."""
    work = HERE / ".work" / f"workspace{count}"
    marker = work / "ready"
    if marker.exists():
        return work
    source = HERE / ".work" / f"tickets{count}"
    build(count)  # ticket_pages' own cache
    db.close()
    work.mkdir(parents=True, exist_ok=True)
    for name in ("portal.db", "secret_key"):
        if (source / name).exists():
            shutil.copy(source / name, work / name)
    create_app({"INSTANCE_PATH": str(work), "SECRET_KEY": "bench",
                "PASSWORD_HASH": "scrypt:1024:8:1"})
    db.connect(reuse_if_open=True)
    prepare()
    started = time.perf_counter()
    _augment(count)
    db.execute_sql("VACUUM")
    prepare()
    marker.write_text("ok")
    print(f"  workspace data added in {time.perf_counter() - started:.0f} s", flush=True)
    return work


def _augment(count: int) -> None:
    rng = random.Random(11)
    run = db.execute_sql
    # The seeded tickets (the long conversation was filed "now", the rest in 2025).
    last = run("SELECT MAX(created_at) FROM ticket WHERE number <= ?", (count,)).fetchone()[0]
    shift = int((datetime.now() - timedelta(hours=1)
                 - datetime.fromisoformat(last[:19])).total_seconds())
    with db.atomic():
        for column in ("created_at", "updated_at", "last_activity_at", "status_changed_at"):
            run(f"UPDATE ticket SET {column} = datetime(substr({column}, 1, 19), "  # noqa: S608
                f"'+{shift} seconds') WHERE number <= ?", (count,))  # our own column names
        run("UPDATE ticket SET first_response_at = datetime(created_at, '+' || "
            "(abs(random()) % 600 + 5) || ' minutes') WHERE status != 'new'")
        run("UPDATE ticket SET resolved_at = datetime(status_changed_at) "
            "WHERE status IN ('resolved', 'closed')")
        run("UPDATE ticket SET customer_spoke_last = abs(random()) % 2, "
            "first_response_due = datetime(created_at, '+4 hours'), "
            "response_breached = (abs(random()) % 10 = 0), "
            "resolution_breached = (abs(random()) % 7 = 0)")
        run("UPDATE ticket SET escalated = 1 WHERE abs(random()) % 50 = 0")
        run("DELETE FROM daily_count")
        run("INSERT INTO daily_count (day, name, value) SELECT substr(created_at, 1, 10), "
            "'created', COUNT(*) FROM ticket GROUP BY substr(created_at, 1, 10)")
        run("INSERT INTO daily_count (day, name, value) SELECT substr(resolved_at, 1, 10), "
            "'solved', COUNT(*) FROM ticket WHERE resolved_at IS NOT NULL "
            "GROUP BY substr(resolved_at, 1, 10)")
        today = datetime.now().date()
        db.connection().executemany(
            "INSERT INTO daily_count (day, name, value) VALUES (?, 'suggestions_shown', ?)",
            [(str(today - timedelta(days=d)), rng.randint(200, 900)) for d in range(40)])
    agents = [r[0] for r in run("SELECT id FROM user WHERE role = 'agent'").fetchall()]
    tickets = run("SELECT id, requester_id, created_at FROM ticket").fetchall()
    have = run("SELECT COUNT(*) FROM message").fetchone()[0]
    wanted = count * 5 - have
    rows = []
    for i in range(wanted):
        ticket_id, requester, created = tickets[i % len(tickets)]
        staff = i % 2 == 1
        rows.append((ticket_id, rng.choice(agents) if staff else requester,
                     "note" if i % 17 == 0 else "reply",
                     f"Message {i}: the log shows a timeout.", "<p>Message.</p>", "web",
                     created))
        if len(rows) == 50_000:
            _insert_messages(rows)
            rows = []
    _insert_messages(rows)
    with db.atomic():
        articles = [(f"bench-article-{n}", f"Article {n}", "Body", "<p>Body</p>", "Body",
                     "faq", "en" if n % 2 else "ja", "published", rng.randint(0, 5000),
                     rng.randint(0, 300), "2026-01-01 00:00:00", "2026-01-01 00:00:00")
                    for n in range(2_000)]
        db.connection().executemany(
            "INSERT INTO article (slug, title, body, body_html, plain, kind, language, status,"
            " views, links, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", articles)
        now = datetime.now()
        db.connection().executemany(
            "INSERT INTO deflection (article_id, query, created_at) VALUES (?, 'q', ?)",
            [(rng.randint(1, 2_000), str(now - timedelta(minutes=rng.randint(0, 60 * 24 * 40))))
             for _ in range(5_000)])
        db.execute_sql("INSERT INTO daily_count (day, name, value) SELECT substr(created_at, "
                       "1, 10), 'answered', COUNT(*) FROM deflection "
                       "GROUP BY substr(created_at, 1, 10)")


def _insert_messages(rows: list) -> None:
    with db.atomic():
        db.connection().executemany(
            "INSERT INTO message (ticket_id, author_id, kind, body, body_html, channel,"
            " created_at) VALUES (?,?,?,?,?,?,?)", rows)


def _client(app):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    client.post("/login", data={"csrf_token": token, "email": "agent0@bench.example",
                                "password": PASSWORD})
    page = client.get("/staff/?view=mine").get_data(as_text=True)  # signed in: a new token
    return client, page.split('name="csrf-token" content="')[1].split('"')[0]


def export_only(work: Path) -> int:
    """Stream EXPORT_ROWS rows of the CSV in this (fresh) process; print rows, MB, s."""
    app = create_app({"INSTANCE_PATH": str(work), "SECRET_KEY": "bench",
                      "PASSWORD_HASH": "scrypt:1024:8:1"})
    client, _ = _client(app)
    started = time.perf_counter()
    response = client.get("/staff/export.csv?status=all", buffered=False)
    rows, first_chunk_at = -1, None
    for chunk in response.response:
        first_chunk_at = first_chunk_at or time.perf_counter() - started
        rows += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
        if rows >= EXPORT_ROWS:
            break
    response.close()
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text()
                  .splitlines() if line.startswith(("RssAnon", "RssFile", "VmHWM")))
    # This process's own peak. Not getrusage's ru_maxrss: Linux carries that over from
    # the parent across fork and exec, so it showed the bench's own 200-600 MB.
    peak = int(status["VmHWM"].split()[0]) / 1024
    print({k: v.strip() for k, v in status.items()}, file=sys.stderr)
    print(f"{rows} {peak:.1f} {time.perf_counter() - started:.2f} {first_chunk_at:.3f}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--export-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    work = workspace_db(args.tickets)
    if args.export_only:
        return export_only(work)
    if db.obj is not None:
        db.close()
    app = create_app({"INSTANCE_PATH": str(work), "SECRET_KEY": "bench",
                      "PASSWORD_HASH": "scrypt:1024:8:1"})
    db.connect(reuse_if_open=True)
    prepare()  # a cached database made by an older release gets the newer schema steps
    freeze_startup_objects()
    counts = db.execute_sql("SELECT (SELECT COUNT(*) FROM ticket), "
                            "(SELECT COUNT(*) FROM message)").fetchone()
    print(f"== {counts[0]:,} tickets, {counts[1]:,} messages")
    client, token = _client(app)
    failed = False

    queue: list[float] = []
    for url in QUEUE_URLS:
        samples = timed(client, url, 15)
        report(url, list(samples))
        queue += samples
    refresh = timed_htmx(client, "/staff/?view=open", 15)
    report("refresh (htmx rows + counts)", list(refresh))
    queue += refresh
    p95 = report("queue with all view counts", queue)
    failed |= p95 > QUEUE_BUDGET

    p95 = report("/staff/dashboard", timed(client, "/staff/dashboard", 20))
    failed |= p95 > DASHBOARD_BUDGET

    numbers = [r[0] for r in db.execute_sql(
        "SELECT number FROM ticket WHERE status IN ('new', 'investigating', "
        "'waiting_on_customer') ORDER BY number DESC LIMIT 500").fetchall()]
    started = time.perf_counter()
    response = client.post("/staff/bulk", data={
        "csrf_token": token, "tickets": [str(n) for n in numbers], "action": "priority",
        "value": "2", "reason": "bench"})
    took = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    print(f"  bulk priority change of {len(numbers)} tickets: {took:.2f} s")
    failed |= took > BULK_BUDGET_S

    out = subprocess.run([sys.executable, __file__, "--tickets", str(args.tickets),
                          "--export-only"], capture_output=True, text=True, check=True)
    rows, peak, seconds, first = out.stdout.split()[-4:]
    print(f"  export: {int(rows):,} rows streamed in {float(seconds):.1f} s (first bytes "
          f"after {float(first) * 1000:.0f} ms), peak RSS {float(peak):.0f} MB")
    print(f"    at the end: {out.stderr.strip().splitlines()[-1]}")
    failed |= float(peak) >= EXPORT_MB or int(rows) < EXPORT_ROWS

    print("budgets:", "MISSED" if failed else "met")
    return 1 if failed else 0


def timed_htmx(client, url: str, runs: int) -> list[float]:
    """The queue's refresh, made afresh each time (see ticket_pages.timed)."""
    out = []
    for _ in range(runs):
        move_data_version()
        started = time.perf_counter()
        response = client.get(url, headers={"HX-Request": "true"})
        out.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return out


if __name__ == "__main__":
    sys.exit(main())
