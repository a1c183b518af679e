"""Knowledge-base search benchmark against the budgets in DESIGN.md.

    python bench/kb_search.py              # 1k, 10k and 100k articles
    python bench/kb_search.py --sizes 1000 # a quick look
    python bench/kb_search.py --database postgresql://postgres@127.0.0.1/test
                                           # the same on PostgreSQL (databases
                                           # madoguchi_bench_kb<size> on that server)

For each corpus size it reports, over a fixed list of realistic queries:

* bare query: ``portal.kb.search.search()`` in-process, i.e. every FTS5 statement of the
  query plan plus loading and checking the rows shown (no HTTP, no template);
* request: the full ``GET /kb/suggest?q=…`` through Flask's test client (routing,
  session, rendering the fragment) for a visitor, the case the budget is checked on;
* signed in: the same request from a signed-in customer, as the ticket form sends it
  (adds reading the session cookie, loading the user and the per-article "this answered
  my question" forms); reported beside it, held to the absolute budgets only;
* index size against the article text, full rebuild time, and the time to re-index
  one edited article (``save_article`` of a published article, all in one transaction).
  The index is the FTS5 tables on SQLite; on PostgreSQL the GIN indexes plus the stored
  bytes of the tsvector columns (row headers, rowid keys and free space are printed
  apart, as the whole footprint on disk).

Budgets are checked at 100k (or the largest size run); the exit status is 1 if any fails.
Databases are cached in ``bench/.work`` (on PostgreSQL: kept on the server) so a
re-run skips the build. ``PORTAL_BENCH_DATABASE`` may stand for ``--database``.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

from portal import create_app  # noqa: E402
from portal.accounts import services as accounts  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from portal.bootstrap import prepare  # noqa: E402
from portal.db import db, is_postgres  # noqa: E402
from portal.kb import pgforms, search, services  # noqa: E402
from portal.kb.models import Article  # noqa: E402
from portal.serve import freeze_startup_objects  # noqa: E402

QUERIES = {
    "ja 1 char": ["障", "請", "解"],
    "ja 2 chars": ["請求", "障害", "解約", "容量"],
    "ja 3 chars": ["請求書", "証明書", "メール"],
    "ja 5+ chars": ["ログインできない", "タイムアウト", "通知メールが届かない",
                    "ログインできません"],
    "partly typed": ["invo", "passw", "subscr"],
    "english": ["invoice", "password reset", "timeout", "cancel subscription"],
    "mixed": ["SSO 設定", "API タイムアウト", "CSV ダウンロード"],
    "paragraph": [
        "昨日の夕方から管理画面にログインできなくなりました。パスワードは変更していません。"
        "二段階認証のコードを入力するとエラーが表示されます。どうすればよいでしょうか。",
        "Since this morning our API requests time out after thirty seconds. We did not change "
        "anything on our side and the status page shows no incident. Please advise.",
    ],
    "no match": ["zzqxj", "存在しない単語列", "qwertyuiop asdf"],
}
REPEAT = 30
BUDGET = {"p50": 3.0, "p95": 10.0, "max": 25.0, "ratio_p50": 2.0, "ratio_p95": 1.5,
          "index_ratio": 0.75, "rebuild_s": 60.0, "reindex_ms": 25.0}


def postgres_database(server: str, name: str) -> str:
    """The URL of database ``name`` on the server of ``server`` (created when missing)."""
    import psycopg

    with psycopg.connect(server, autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                             (name,)).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
    return server.rpartition("/")[0] + "/" + name


def build(size: int, server: str = ""):
    """An app on a cached database holding ``size`` published articles."""
    work = HERE / ".work" / f"kb{size}"
    work.mkdir(parents=True, exist_ok=True)
    config = {"INSTANCE_PATH": str(work), "SECRET_KEY": "bench", "TESTING": False}
    if server:
        config["DATABASE"] = postgres_database(server, f"madoguchi_bench_kb{size}")
    app = create_app(config)
    db.connect(reuse_if_open=True)
    prepare()
    if Article.select().count() != size:
        started = time.perf_counter()
        db.execute_sql("DELETE FROM article")
        rows = []
        for i, a in enumerate(corpus.articles(size), 1):
            html = "<p>" + a["body"] + "</p>"
            rows.append((i, f"a{i}", a["title"], a["body"], html, a["body"], a["kind"],
                         a["category"], a["language"], "published"))
        mark = "%s" if is_postgres() else "?"
        with db.atomic():
            db.execute_sql("DELETE FROM article")
            insert = ("INSERT INTO article (id, slug, title, body, body_html, plain, kind,"  # noqa: S608
                      " category, language, status, created_at, updated_at) VALUES"
                      f" ({', '.join([mark] * 10)}, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
            db.cursor().executemany(insert, rows)
        services.reindex()
        db.execute_sql("VACUUM ANALYZE" if is_postgres() else "VACUUM")
        print(f"  built {size:,} articles in {time.perf_counter() - started:.1f}s", flush=True)
    return app


def customer_client(app):
    """A test client signed in as a customer (made once per database)."""
    user = User.get_or_none(User.email == "bench@example.com")
    if user is None:
        accounts.create_org("Bench", "bench", "basic")
        user = accounts.create_user("bench@example.com", "Bench", "customer",
                                    "bench-pass-2026", org="bench", org_role="contact")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
    return client


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50": statistics.median(ordered),
            "p95": ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))],
            "max": ordered[-1]}


def timed(fns) -> list[list[float]]:
    """Time the callables in turn, so a noisy neighbour on the machine hits all alike."""
    for fn in fns:
        fn()  # warm
    samples = [[] for _ in fns]
    for _ in range(REPEAT):
        for fn, out in zip(fns, samples, strict=True):
            started = time.perf_counter()
            fn()
            out.append((time.perf_counter() - started) * 1000)
    return samples


def measure(app) -> dict[str, tuple[dict, dict[str, dict]]]:
    """Percentiles of every query, overall and per kind of query, for each way of asking."""
    # A visitor: nothing sets a cookie on /kb/suggest, so the client keeps no cookie
    # jar (the jar's bookkeeping is the test client's cost, not the portal's).
    visitor = app.test_client(use_cookies=False)
    customer = customer_client(app)
    headers = {"Accept-Language": "ja"}
    ways = {
        "bare query": lambda q, url: search.search(q, "ja", 5),
        "/kb/suggest": lambda q, url: visitor.get(url, headers=headers),
        "signed in": lambda q, url: customer.get(url, headers=headers),
    }
    # One pass over every query first, so the timed runs do not include reading the
    # database file from disk for the first time.
    for queries in QUERIES.values():
        for q in queries:
            for way in ways.values():
                way(q, "/kb/suggest?q=" + quote(q))
    freeze_startup_objects()  # as `portal serve` does before it forks the workers
    everything = {name: [] for name in ways}
    by_kind = {name: {} for name in ways}
    for kind, queries in QUERIES.items():
        of_kind = {name: [] for name in ways}
        for q in queries:
            url = "/kb/suggest?q=" + quote(q)
            samples = timed([lambda way=way, q=q, url=url: way(q, url) for way in ways.values()])
            for name, got in zip(ways, samples, strict=True):
                of_kind[name] += got
        for name, got in of_kind.items():
            by_kind[name][kind] = percentiles(got)
            everything[name] += got
    gc.unfreeze()
    return {name: (percentiles(everything[name]), by_kind[name]) for name in ways}


def sizes_and_rebuild() -> dict[str, float]:
    if is_postgres():
        text = db.execute_sql("SELECT SUM(octet_length(title) + octet_length(body))"
                              " FROM article").fetchone()[0]
        # What stands for FTS5's tables: the two GIN expression indexes on article
        # (nothing else is stored for the search).
        index = db.execute_sql(
            "SELECT SUM(pg_relation_size(indexrelid))::bigint FROM pg_index WHERE"
            " indexrelid IN (to_regclass(?), to_regclass(?))",
            (pgforms.BODY_INDEX, pgforms.TITLE_INDEX)).fetchone()[0]
        disk = index
    else:
        text = db.execute_sql("SELECT SUM(LENGTH(CAST(title AS BLOB)) + LENGTH(CAST(body AS"
                              " BLOB))) FROM article").fetchone()[0]
        index = db.execute_sql("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'article_fts%'"
                               " OR name LIKE 'article_title_fts%'").fetchone()[0]
        disk = index
    started = time.perf_counter()
    services.reindex()
    rebuild = time.perf_counter() - started
    if is_postgres():
        db.execute_sql("VACUUM ANALYZE")  # the rebuild's dead rows, before the next run
    article = Article.get_by_id(Article.select(Article.id).order_by(Article.id).first().id)
    samples = []
    for i in range(10):
        data = services.as_input(article)
        data.body = article.body + f" 追記 {i}"
        started = time.perf_counter()
        article = services.save_article(data, article=article)
        samples.append((time.perf_counter() - started) * 1000)
    return {"text_mb": text / 1e6, "index_mb": index / 1e6, "index_ratio": index / text,
            "disk_mb": disk / 1e6,
            "rebuild_s": rebuild, "reindex_ms": statistics.median(samples)}


def row(label: str, p: dict[str, float]) -> str:
    return f"{label:<16} p50 {p['p50']:6.2f}  p95 {p['p95']:6.2f}  max {p['max']:6.2f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--database", default=os.environ.get("PORTAL_BENCH_DATABASE", ""),
                        help="a postgresql:// URL: run on that PostgreSQL server")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    failures = []
    for size in sizes:
        print(f"\n== {size:,} articles")
        app = build(size, args.database)
        results = measure(app)
        (bare, bare_kinds), (request, request_kinds), (signed, signed_kinds) = results.values()
        for kind, b in bare_kinds.items():
            r, s = request_kinds[kind], signed_kinds[kind]
            print(f"  {kind:<13} bare p50 {b['p50']:5.2f} p95 {b['p95']:5.2f} | "
                  f"request p50 {r['p50']:5.2f} p95 {r['p95']:5.2f} max {r['max']:5.2f} | "
                  f"signed in p50 {s['p50']:5.2f} p95 {s['p95']:5.2f} ms")
        for name, (p, _) in results.items():
            print("  " + row(name, p))
        ratios = {"ratio_p50": request["p50"] / bare["p50"],
                  "ratio_p95": request["p95"] / bare["p95"]}
        print(f"  request/bare: p50 {ratios['ratio_p50']:.2f}x  p95 {ratios['ratio_p95']:.2f}x"
              f"   (signed in: p50 {signed['p50'] / bare['p50']:.2f}x"
              f"  p95 {signed['p95'] / bare['p95']:.2f}x)")
        info = sizes_and_rebuild()
        on_disk = (f" [{info['disk_mb']:.1f} MB on disk]"
                   if info["disk_mb"] != info["index_mb"] else "")
        print(f"  text {info['text_mb']:.1f} MB, index {info['index_mb']:.1f} MB{on_disk} "
              f"({info['index_ratio']:.2f}x), rebuild {info['rebuild_s']:.1f} s, "
              f"re-index one article {info['reindex_ms']:.2f} ms")
        db.close()
        if size == max(sizes):
            measured = {**request, **ratios, **info}
            failures = [f"{k} {measured[k]:.2f} > {v}" for k, v in BUDGET.items()
                        if measured[k] > v]
            failures += [f"signed in {k} {signed[k]:.2f} > {BUDGET[k]}"
                         for k in ("p50", "p95", "max") if signed[k] > BUDGET[k]]
    print("\nbudget:", "met" if not failures else "MISSED: " + "; ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
