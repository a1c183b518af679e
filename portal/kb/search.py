"""Full-text search over published articles, in Japanese and English. No Flask here.

Two contentless FTS5 tables hold the bigram form of each published article
(:mod:`portal.kb.textforms`): ``article_title_fts`` (titles, with positions, so a
Japanese word is an exact phrase) and ``article_fts`` (title and body, without
positions, about a quarter of the text's size). A query is tried in steps, stopping at
the first that finds something:

1. every word, as typed;
2. only the content words (kanji, katakana, Latin): ログインできません → ログイン;
3. any content word, ranked by how many match.

Each step asks both tables for the newest ``CANDIDATES`` matches (cheap: FTS5 walks
its lists from the top and stops). When the set is smaller than that, it is ranked
with bm25; when a very common word gives a larger set, the newest matches win, so no
query becomes slow. Articles whose title holds every word come first, then the
reader's language, then the score. A long Japanese word matched in the body index
(the AND of its bigrams) is confirmed against the article's text before it is shown.
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from dataclasses import dataclass, replace

from markupsafe import Markup, escape

from portal.db import db, is_postgres
from portal.kb.textforms import Term, content_terms, index_form, normalize, parse, tsvector_form

CANDIDATES = 200
RARITY_CAP = 50  # counting further does not change which words are rare
MAX_SCORED_PHRASES = 3  # bm25 reads every phrase's whole list: only for short queries
LONG_QUERY_WORDS = 6  # longer text keeps only its rarest words
SNIPPET_CHARS = 140


@dataclass
class Hit:
    id: int
    slug: str
    title: str
    kind: str
    language: str
    category: int | None  # the category's id
    title_match: bool
    snippet: Markup = Markup("")


# --- keeping the index in step ---------------------------------------------------------

def index_article(article_id: int, title: str, plain: str) -> None:
    """Add one published article (call inside the transaction that publishes it)."""
    if is_postgres():
        db.execute_sql("INSERT INTO article_fts (rowid, text) VALUES (?, ?::tsvector)",
                       (article_id, tsvector_form(title + "\n" + plain, positions=False)))
        db.execute_sql("INSERT INTO article_title_fts (rowid, title) VALUES (?, ?::tsvector)",
                       (article_id, tsvector_form(title, positions=True)))
        return
    title_form = index_form(title)
    db.execute_sql("INSERT INTO article_fts (rowid, text) VALUES (?, ?)",
                   (article_id, title_form + " " + index_form(plain)))
    db.execute_sql("INSERT INTO article_title_fts (rowid, title) VALUES (?, ?)",
                   (article_id, title_form))


def unindex_article(article_id: int, title: str, plain: str) -> None:
    """Remove an article as it was indexed (contentless tables need the old text)."""
    if is_postgres():
        db.execute_sql("DELETE FROM article_fts WHERE rowid = ?", (article_id,))
        db.execute_sql("DELETE FROM article_title_fts WHERE rowid = ?", (article_id,))
        return
    title_form = index_form(title)
    db.execute_sql(
        "INSERT INTO article_fts (article_fts, rowid, text) VALUES ('delete', ?, ?)",
        (article_id, title_form + " " + index_form(plain)))
    db.execute_sql(
        "INSERT INTO article_title_fts (article_title_fts, rowid, title) VALUES ('delete', ?, ?)",
        (article_id, title_form))


def rebuild() -> int:
    """Empty both indexes and index every published article again; return the count."""
    postgres = is_postgres()
    if postgres:
        db.execute_sql("DELETE FROM article_fts")
        db.execute_sql("DELETE FROM article_title_fts")
    else:
        db.execute_sql("INSERT INTO article_fts (article_fts) VALUES ('delete-all')")
        db.execute_sql("INSERT INTO article_title_fts (article_title_fts) VALUES ('delete-all')")
    rows = db.execute_sql("SELECT id, title, plain FROM article WHERE status = 'published'")
    if postgres:
        return _rebuild_postgres(rows.fetchall())
    count = 0
    for article_id, title, plain in rows.fetchall():
        index_article(article_id, title, plain)
        count += 1
    db.execute_sql("INSERT INTO article_fts (article_fts) VALUES ('optimize')")
    db.execute_sql("INSERT INTO article_title_fts (article_title_fts) VALUES ('optimize')")
    return count


_GIN = {"article_fts": "article_fts_text", "article_title_fts": "article_title_fts_title"}


def _rebuild_postgres(rows: list[tuple]) -> int:
    """Fill both tables in batches; the GIN indexes take the rows through their pending
    list, merged once at the end (row by row the 100,000 articles took 124 s)."""
    for index in _GIN.values():
        db.execute_sql(f"ALTER INDEX {index} SET (fastupdate = on)")
    cursor = db.cursor()
    for start in range(0, len(rows), 1000):
        batch = rows[start:start + 1000]
        cursor.executemany("INSERT INTO article_fts (rowid, text) VALUES (%s, %s::tsvector)",
                           [(i, tsvector_form(t + "\n" + p, positions=False))
                            for i, t, p in batch])
        cursor.executemany("INSERT INTO article_title_fts (rowid, title)"
                           " VALUES (%s, %s::tsvector)",
                           [(i, tsvector_form(t, positions=True)) for i, t, _ in batch])
    for table, index in _GIN.items():
        db.execute_sql("SELECT gin_clean_pending_list(?::regclass)", (index,))
        db.execute_sql(f"ALTER INDEX {index} SET (fastupdate = off)")
        db.execute_sql(f"ANALYZE {table}")
    return len(rows)


# --- asking it ------------------------------------------------------------------------

def _match(table: str, expr: str, scored: bool = False,
           cap: int = CANDIDATES + 1) -> list[tuple[int, float]]:
    """Newest matches first, at most ``cap``, with bm25 when ``scored``."""
    if is_postgres():
        column = _PG_COLUMN[table]
        score = f"length({column})" if scored else "0"
        sql = (f"SELECT rowid, {score} FROM {table} WHERE {column} @@ ?::tsquery "  # noqa: S608
               "ORDER BY rowid DESC LIMIT ?")
        return db.execute_sql(sql, (expr, cap)).fetchall()
    score = f"bm25({table})" if scored else "0"
    # Only our own table names are formatted in; every value is bound.
    sql = (f"SELECT rowid, {score} FROM {table} WHERE {table} MATCH ? "  # noqa: S608
           "ORDER BY rowid DESC LIMIT ?")
    return db.execute_sql(sql, (expr, cap)).fetchall()


_PG_COLUMN = {"article_fts": "text", "article_title_fts": "title"}


def _body(terms: list[Term]) -> str:
    if is_postgres():
        return " & ".join(t.tsquery(phrases=False) for t in terms)
    return " AND ".join(t.fts(phrases=False) for t in terms)


def _title(terms: list[Term]) -> str:
    if is_postgres():
        return " & ".join(t.tsquery() for t in terms)
    return " AND ".join(t.fts() for t in terms)


def _phrases(expr: str) -> int:
    """How many phrases (FTS5) or lexemes outside phrases (tsquery) ``expr`` holds."""
    if '"' in expr:
        return expr.count('"') // 2
    return expr.count("'") // 2 - expr.count("<->")


@dataclass
class _Found:
    """One step's candidates: scores (lower is better), exact title matches, and the
    ids that need no check against the text (matched by title or by an exact token)."""

    scores: dict[int, float]
    title_ids: set[int]
    trusted: set[int]

    def __bool__(self) -> bool:
        return bool(self.scores or self.title_ids)


def _ranked_ids(table: str, expr: str) -> dict[int, float]:
    """Matches with a score: bm25 for a small set of a short query, else newest first."""
    # On PostgreSQL the score (the row's length) costs nothing more: ask for it at once.
    rows = _match(table, expr, scored=is_postgres())
    if rows and len(rows) <= CANDIDATES and _phrases(expr) <= MAX_SCORED_PHRASES:
        return dict(rows) if is_postgres() else dict(_match(table, expr, scored=True))
    # A common word: keep FTS5's newest-first order instead of ranking everything.
    return {rid: float(i) for i, (rid, _) in enumerate(rows[:CANDIDATES])}


def _step(terms: list[Term], any_word: bool, limit: int) -> _Found:
    """Ask both indexes for ``terms``, all of them or any of them."""
    if not any_word:
        title = _ranked_ids("article_title_fts", _title(terms))
        if len(title) >= limit:
            # Title matches always rank first: enough of them make the body moot.
            return _Found(title, set(title), set(title))
        scores = _ranked_ids("article_fts", _body(terms))
        exact = not any(t.needs_check for t in terms)
        return _Found(scores, set(title), set(scores) | set(title) if exact else set(title))
    # Any word: rank by the words that match, a rare word counting more than a common
    # one (ログイン over 場合), and title matches counting extra.
    found = _Found({}, set(), set())
    title_counts: dict[int, int] = {}
    for term in terms:
        rows = _match("article_fts", _body([term]))[:CANDIDATES]
        weight = 1 / (1 + 0.25 * math.log(len(rows))) if rows else 0
        for rid, _ in rows:
            found.scores[rid] = found.scores.get(rid, 0) - weight
            if not term.needs_check:
                found.trusted.add(rid)
        for rid, _ in _match("article_title_fts", _title([term]))[:CANDIDATES]:
            title_counts[rid] = title_counts.get(rid, 0) + 1
            found.scores[rid] = found.scores.get(rid, 0) - 0.5 * weight
            found.trusted.add(rid)
    found.title_ids = {rid for rid, n in title_counts.items() if n == len(terms)}
    return found


def _count(table: str, expr: str, cap: int) -> int:
    """How many articles match, counting no further than ``cap``."""
    if not is_postgres():
        return len(_match(table, expr, cap=cap))
    # In no particular order: PostgreSQL stops at ``cap`` whichever way it reads, where
    # "newest first" made it choose between a backward walk (slow for a rare word) and
    # sorting every match (slow for a common one) on estimates alone.
    column = _PG_COLUMN[table]
    sql = (f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {column} @@ ?::tsquery"  # noqa: S608
           " LIMIT ?) AS capped")
    return db.execute_sql(sql, (expr, cap)).fetchone()[0]


def _rarest(terms: list[Term], keep: int = 4) -> list[Term]:
    """The ``keep`` words found in the fewest articles (for long text)."""
    frequency = {}
    for term in terms:
        found = _count("article_fts", _body([term]), RARITY_CAP)
        if found:  # a word found nowhere helps nobody
            frequency[term] = found
    return sorted(frequency, key=frequency.get)[:keep]


def plan(query: str) -> list[tuple[list[Term], bool]]:
    """The steps a query will be tried in: (words, any word suffices)."""
    terms = parse(query)
    if not terms:
        return []
    content = content_terms(terms)
    if len(content) > LONG_QUERY_WORDS:
        # Prose: its words are whole words, not prefixes being typed.
        rare = _rarest([replace(t, prefix=False) if not t.cjk else t for t in content])
        return [(rare, False), (rare, True)] if rare else []
    steps = [(terms, False)]
    if content and content != terms:
        steps.append((content, False))
    words = content or terms
    if len(words) > 1:
        steps.append((words, True))
    return steps


def search(query: str, reader_language: str, limit: int = 10) -> tuple[list[Hit], list[Term]]:
    """The best ``limit`` published articles for ``query`` and the words that found them."""
    for terms, any_word in plan(query):
        found = _step(terms, any_word, limit)
        hits = _ranked(found, reader_language, terms, any_word, limit) if found else []
        if hits:
            return hits, terms
    return [], []


def similar(title: str, language: str, exclude: int, limit: int = 5) -> list[Hit]:
    """Articles sharing content words with ``title`` (for "related articles", which show
    titles only: no snippets are made)."""
    terms = content_terms(parse(title)) or parse(title)
    if not terms:
        return []
    found = _step(terms, any_word=True, limit=limit)
    found.scores.pop(exclude, None)
    found.title_ids.discard(exclude)
    return _ranked(found, language, terms, True, limit, snippets=False) if found else []


def _ranked(found: _Found, language: str, terms: list[Term], any_word: bool,
            limit: int, snippets: bool = True) -> list[Hit]:
    """Order the candidates, then confirm and dress the best ``limit`` of them."""
    ids = tuple(set(found.scores) | found.title_ids)
    rows = db.execute_sql(*_ids_in("SELECT id, language FROM article WHERE", ids)).fetchall()
    def rank(row: tuple[int, str]) -> tuple:
        return (row[0] not in found.title_ids, row[1] != language,
                found.scores.get(row[0], 1e9), -row[0])

    checks = [t for t in terms if t.needs_check]
    if not checks or all(r[0] in found.trusted for r in rows):
        ordered = [r[0] for r in heapq.nsmallest(limit, rows, key=rank)]
    else:
        ordered = [r[0] for r in sorted(rows, key=rank)]
    hits: list[Hit] = []
    batch_size = limit * 2 if checks else limit  # loose matches may fail their check
    for start in range(0, len(ordered), batch_size):
        for hit, plain in _load(ordered[start:start + batch_size], found.title_ids):
            if hit.id in found.trusted or _confirmed(hit.title + "\n" + plain, checks,
                                                     any_word):
                if snippets:
                    hit.snippet = snippet(plain, terms)
                hits.append(hit)
                if len(hits) == limit:
                    return hits
    return hits


def _ids_in(head: str, ids) -> tuple[str, tuple]:
    """``head id IN (…)`` with ``ids`` bound: one array parameter on PostgreSQL, so the
    statement's text stays the same (and prepared) whatever the number of ids."""
    if is_postgres():
        return f"{head} id = ANY(%s)", (list(ids),)
    return f"{head} id IN ({','.join('?' * len(ids))})", tuple(ids)


def _confirmed(text: str, checks: list[Term], any_word: bool) -> bool:
    """Whether the words matched loosely (bigrams in any order) are really in ``text``."""
    text = normalize(text)
    found = [t.found_in(text) for t in checks]
    return any(found) if any_word else all(found)


def _load(ids: list[int], title_ids: set[int]) -> list[tuple[Hit, str]]:
    """Articles ``ids`` in that order, each with its plain text."""
    # SQLite must look the ids up by key, not by the status index: ``+status`` says so.
    status = "status" if is_postgres() else "+status"
    sql, params = _ids_in("SELECT id, slug, title, kind, language, category_id, plain FROM article"
                          " WHERE", ids)
    rows = {row[0]: row for row in db.execute_sql(
        f"{sql} AND {status} = 'published'", params).fetchall()}
    out = []
    for rid in ids:
        if rid in rows:
            *fields, plain = rows[rid]
            out.append((Hit(*fields, title_match=rid in title_ids), plain))
    return out


def snippet(text: str, terms: list[Term], size: int = SNIPPET_CHARS) -> Markup:
    """A window of ``text`` around the first match, every match wrapped in ``<mark>``.

    The text is escaped piece by piece and only our own ``<mark>`` tags are added, so
    nothing an author wrote can become markup here.
    """
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    if not terms:
        return escape(text[:size])
    pattern = re.compile("|".join(t.pattern for t in sorted(terms, key=lambda t: -len(t.text))),
                         re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, (first.start() if first else 0) - size // 4)
    window = text[start:start + size]
    out = [Markup("…")] if start else []
    pos = 0
    for found in pattern.finditer(window):
        out.append(escape(window[pos:found.start()]))
        out.append(Markup("<mark>%s</mark>") % window[found.start():found.end()])
        pos = found.end()
    out.append(escape(window[pos:]))
    if start + size < len(text):
        out.append(Markup("…"))
    return Markup("").join(out)
