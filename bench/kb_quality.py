"""Search quality on the demo articles: hit@1, hit@5 and MRR per class of question.

    python bench/kb_quality.py                   # bench/kb_questions.tsv, SQLite
    python bench/kb_quality.py --noise 2000      # plus 2,000 corpus articles around them
    python bench/kb_quality.py --misses          # also print every query not first
    python bench/kb_quality.py --database postgresql://postgres@127.0.0.1/test

Each question is asked as a visitor does, through ``GET /kb/suggest`` (the five
suggestions of the ticket form and the search box) with the question's reader language
as ``Accept-Language``, on a fresh database holding the published demo articles. A
question counts at rank k when one of its right articles is the k-th suggestion; MRR
is the mean of 1/k (0 when none of the five is right). ``--noise N`` adds N articles
of the benchmark corpus (bench/corpus.py), which share many words with the demo, to
see whether the right answers still come first among many near-misses.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

QUESTIONS = HERE / "kb_questions.tsv"
CLASSES = ("literal", "synonym", "variant", "slip", "other")
_LINK = re.compile(r'<a href="/kb/([^"/?#]+)"')


def questions(path: Path) -> list[tuple[str, str, str, set[str]]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, language, query, right = line.split("\t")
        out.append((kind, language, query, set(right.split(","))))
    return out


def make_app(database: str, noise: int):
    from portal import create_app
    from portal.bootstrap import prepare
    from portal.db import db
    from portal.demo import ARTICLES, CATEGORIES
    from portal.kb import services, transfer

    work = tempfile.mkdtemp(prefix="kb-quality-")
    config = {"INSTANCE_PATH": work, "SECRET_KEY": "bench", "TESTING": False}
    if database:
        import kb_search

        config["DATABASE"] = kb_search.postgres_database(database, "madoguchi_bench_quality")
    app = create_app(config)
    db.connect(reuse_if_open=True)
    prepare()
    if database:
        for table in ("article_feedback", "deflection", "article"):
            db.execute_sql(f"DELETE FROM {table}")  # noqa: S608
    if noise:
        import corpus

        for i, a in enumerate(corpus.articles(noise)):
            data = services.ArticleInput(title=a["title"], body=a["body"], kind=a["kind"],
                                         language=a["language"], category=a["category"],
                                         status="published", slug=f"noise-{i}")
            services.save_article(data)
    for slug, name_ja, name_en in CATEGORIES:
        services.ensure_category(slug, name_ja, name_en)
    transfer.import_dir(ARTICLES)  # the demo articles are the newest
    return app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--noise", type=int, default=0)
    parser.add_argument("--database", default="")
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    app = make_app(args.database, args.noise)
    client = app.test_client(use_cookies=False)
    ranks: dict[str, list[int]] = defaultdict(list)
    misses = []
    for kind, language, query, right in questions(args.questions):
        page = client.get("/kb/suggest?q=" + quote(query),
                          headers={"Accept-Language": language}).get_data(as_text=True)
        shown = _LINK.findall(page)[:5]
        rank = next((i for i, slug in enumerate(shown, 1) if slug in right), 0)
        ranks[kind].append(rank)
        if rank != 1:
            misses.append((kind, query, rank, shown))
    print(f"{'class':<9} {'n':>3}  hit@1   hit@5   MRR")
    everything: list[int] = []
    for kind in CLASSES + tuple(k for k in ranks if k not in CLASSES):
        got = ranks.get(kind)
        if not got:
            continue
        everything += got if kind != "literal" else []
        print(_line(kind, got))
    print(_line("customer", everything) + "   (every class but literal)")
    if args.misses:
        for kind, query, rank, shown in misses:
            print(f"  {kind:<8} {query!r}: {'rank ' + str(rank) if rank else 'not in top 5'}"
                  f" {shown}")
    return 0


def _line(kind: str, got: list[int]) -> str:
    n = len(got)
    hit1 = sum(r == 1 for r in got) / n
    hit5 = sum(r > 0 for r in got) / n
    mrr = sum(1 / r for r in got if r) / n
    return f"{kind:<9} {n:>3}  {hit1:5.1%}  {hit5:5.1%}  {mrr:.3f}"


if __name__ == "__main__":
    sys.exit(main())
