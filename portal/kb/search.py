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

On PostgreSQL the two indexes are GIN expression indexes on ``article`` itself
(:mod:`portal.kb.pgforms`); neither has positions, so a long Japanese word found in a
title is confirmed against the title too.
"""

from __future__ import annotations

import functools
import heapq
import math
import re
import time
import unicodedata
from dataclasses import dataclass, field, replace

import peewee
from markupsafe import Markup, escape

from portal.db import db, execute_planned, is_postgres, transaction
from portal.kb import lexicon, pgforms, slips
from portal.kb.textforms import (
    FORM_VERSION,
    Term,
    Words,
    content_terms,
    fold,
    index_form,
    normalize,
    parse,
)
from portal.pgdialect import translate_query

CANDIDATES = 200
RARITY_CAP = 50  # counting further does not change which words are rare
MAX_SCORED_PHRASES = 3  # bm25 reads every phrase's whole list: only for short queries
LONG_QUERY_WORDS = 6  # longer text keeps only its rarest words
SNIPPET_CHARS = 140
SYNONYM_WEIGHT = 0.8  # a synonym's match counts this much of the word's own (any word)
FEW = 3  # fewer results than this (or only partial ones) look for a slip
MAX_CORRECTED = 4  # words of one query looked up for a slip, at most


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
    """Add one published article (call inside the transaction that publishes it).

    On PostgreSQL the article's row is its entry: its indexes follow it."""
    slips.add_title(title)
    if is_postgres():
        return
    title_form = index_form(title)
    db.execute_sql("INSERT INTO article_fts (rowid, text) VALUES (?, ?)",
                   (article_id, title_form + " " + index_form(plain)))
    db.execute_sql("INSERT INTO article_title_fts (rowid, title) VALUES (?, ?)",
                   (article_id, title_form))


def unindex_article(article_id: int, title: str, plain: str) -> None:
    """Remove an article as it was indexed (contentless tables need the old text)."""
    slips.remove_title(title)
    if is_postgres():
        return
    title_form = index_form(title)
    db.execute_sql(
        "INSERT INTO article_fts (article_fts, rowid, text) VALUES ('delete', ?, ?)",
        (article_id, title_form + " " + index_form(plain)))
    db.execute_sql(
        "INSERT INTO article_title_fts (article_title_fts, rowid, title) VALUES ('delete', ?, ?)",
        (article_id, title_form))


def rebuild() -> int:
    """Build both indexes anew from every published article; return the count."""
    slips.clear()
    if is_postgres():
        slips.add_titles(row[0] for row in db.execute_sql(
            "SELECT title FROM article WHERE status = 'published'").fetchall())
        return _rebuild_postgres()
    db.execute_sql("INSERT INTO article_fts (article_fts) VALUES ('delete-all')")
    db.execute_sql("INSERT INTO article_title_fts (article_title_fts) VALUES ('delete-all')")
    rows = db.execute_sql("SELECT id, title, plain FROM article"
                          " WHERE status = 'published' ORDER BY id").fetchall()
    for article_id, title, plain in rows:
        index_article(article_id, title, plain)
    db.execute_sql("INSERT INTO article_fts (article_fts) VALUES ('optimize')")
    db.execute_sql("INSERT INTO article_title_fts (article_title_fts) VALUES ('optimize')")
    db.execute_sql(f"PRAGMA user_version = {FORM_VERSION:d}")
    return len(rows)


def follow_form() -> bool:
    """Rebuild the index when an earlier release made it in another form (``portal
    init`` calls this); return whether it did. Writers take turns (``transaction``), so
    of two servers starting at once only the first rebuilds."""
    if _form_made() == _form_now():
        return False
    with transaction():
        if _form_made() == _form_now():
            return False
        rebuild()
    return True


def _form_made() -> str | int | None:
    if is_postgres():
        return db.execute_sql("SELECT obj_description(to_regclass(?), 'pg_class')",
                              (pgforms.BODY_INDEX,)).fetchone()[0]
    return db.execute_sql("PRAGMA user_version").fetchone()[0]


def _form_now() -> str | int:
    return pgforms.form() if is_postgres() else FORM_VERSION


# PostgreSQL only: FTS5 walks a word's list newest first and stops after CANDIDATES, but
# GIN hands back every match in no order, so "the newest 200" meant visiting every match
# (or walking the table backwards until 200 turned up). Each article's vectors therefore
# also hold window lexemes for its id: ``_w11_N`` for N = id >> 11 and ``_w14_N`` for
# id >> 14 (portal.kb.pgforms). A query asks GIN first for its matches among the newest
# 2,049-4,096 ids (the two newest blocks of 2,048), then the four newest blocks of 2,048
# (6,145-8,192 ids), then among the newest 16,385-32,768, then everywhere: each window is
# a contiguous range at the top, so when it holds enough matches they are the newest
# ones, exactly as FTS5 would give them, and only those rows are read. The windows'
# sizes are pgforms.WINDOW_SHIFTS (see _levels).
# What stands for each FTS5 table on PostgreSQL: the indexed expression, and the score
# (shorter is better, as bm25 favours short texts; octet_length reads no TOASTed text).
_PG_EXPR = {"article_fts": (pgforms.BODY, "octet_length(plain)"),
            "article_title_fts": (pgforms.TITLE, "octet_length(title)")}


def _rebuild_postgres() -> int:
    """Define the functions anew and build both GIN indexes in one pass each.

    Built in one pass a GIN index is far smaller than one filled row by row. Dropping
    and creating takes the table's exclusive lock: searches and article saves wait for
    the rebuild (about 40 s at 100,000 articles) instead of reading a half-built index.
    """
    for name in (pgforms.BODY_INDEX, pgforms.TITLE_INDEX):
        db.execute_sql(f"DROP INDEX IF EXISTS {name}")
    for statement in pgforms.functions() + pgforms.indexes():
        db.execute_sql(statement)
    db.execute_sql(f"COMMENT ON INDEX {pgforms.BODY_INDEX} IS '{pgforms.form()}'")
    db.execute_sql("ANALYZE article")
    return db.execute_sql("SELECT COUNT(*) FROM article WHERE status = 'published'").fetchone()[0]


# --- asking it ------------------------------------------------------------------------

def _match(table: str, expr: str, scored: bool = False, cap: int = CANDIDATES + 1,
           languages: dict[int, str] | None = None,
           titles: dict[int, str] | None = None) -> list[tuple[int, float]]:
    """Newest matches first, at most ``cap``, with bm25 when ``scored``.

    On PostgreSQL the score is the text's length (given whether asked or not), each
    match's language goes into ``languages`` and, from the title index, its title into
    ``titles`` (a long Japanese word must be confirmed there).
    """
    if is_postgres():
        rows = _pg_match(table, expr, cap)
        _known(rows, languages, titles)
        return [(rid, score) for rid, score, *_ in rows]
    score = f"bm25({table})" if scored else "0"
    # Only our own table names are formatted in; every value is bound.
    sql = (f"SELECT rowid, {score} FROM {table} WHERE {table} MATCH ? "  # noqa: S608
           "ORDER BY rowid DESC LIMIT ?")
    return db.execute_sql(sql, (expr, cap)).fetchall()


def _known(rows: list[tuple], languages: dict[int, str] | None,
           titles: dict[int, str] | None) -> None:
    if languages is not None:
        languages.update((row[0], row[2]) for row in rows)
    if titles is not None:
        titles.update((row[0], row[3]) for row in rows if len(row) > 3)


def _window_query(shift: int, blocks: int = 2) -> str:
    """A query giving the tsquery of the window of the newest ids: the newest ``blocks``
    blocks of ``1 << shift`` ids, the block holding the newest id included."""
    block = f"(top >> {shift})"
    lexemes = " || ' | ' || ".join(f"'_w{shift}_' || ({block} - {i})" for i in range(blocks))
    return (f"SELECT CAST({lexemes} AS tsquery)"  # noqa: S608
            " FROM (SELECT max(id) AS top FROM article) AS m")


def _levels(shifts: tuple[int, ...], prefix: bool, titles: bool) -> list[tuple[int, int]]:
    """The windows asked in turn, as (shift, blocks): two blocks of each size, and after
    the narrowest also four of them. Between two blocks of 2,048 ids and two of 16,384 a
    word found 100-200 times in the first window read its matches among 32,768 ids (750
    rows for 請求 in titles: 0.7 ms); four blocks of 2,048 hold enough of them.

    A prefix costs GIN the same in every window asked (it gathers every match of every
    word it begins, 1.8 ms for timeout:* in bodies), so it skips the middle window, and
    in titles it is asked in the wider windows only."""
    if prefix and titles:
        return [(shift, 2) for shift in shifts[1:]]
    levels = [(shifts[0], 2)]
    if not prefix and len(shifts) > 1 and shifts[1] - shifts[0] >= 2:  # below the next
        levels.append((shifts[0], 4))
    return levels + [(shift, 2) for shift in shifts[1:]]


def _pg_windows(table: str, fields: str, cap: int,
                levels: list[tuple[int, int]]) -> tuple[str, list[str]]:
    """``WITH`` steps asking ``table`` for the matches of one bound tsquery, window by
    window (:func:`_levels`), and the names of the steps.

    Each step runs only while the narrower ones found fewer than ``cap`` (a one-time
    filter on their counts) and the first window's count, grown by the ratio of the
    sizes, reaches ``cap``; it holds the ones before it. A common word is read among
    the newest few thousand rows and stops there; GIN then intersects its list with a
    window's list instead of producing all its 15,000 matches (7 ms for ログ & イン).
    A word too rare to fill the next window skips it, up to all its matches. Each step
    reads its window whole, since the newest are wanted.
    """
    column = _PG_EXPR[table][0]
    match = (f"SELECT {fields} FROM article WHERE status = 'published'"  # noqa: S608
             f" AND {column} @@ ?::tsquery")
    steps, counts = [], []
    first_shift, first_blocks = levels[0]
    for level, (shift, blocks) in enumerate(levels):
        gate = "".join(f" AND {n} < {cap:d}" for n in counts)
        if level:
            growth = (blocks << shift) // (first_blocks << first_shift)
            gate += f" AND {counts[0]} * {growth:d} >= {cap:d}"
        window = _window_query(shift, blocks)
        steps.append(f"w{level} AS MATERIALIZED ({match} AND {column} @@ ({window}){gate})")
        counts.append(f"(SELECT COUNT(*) FROM w{level})")  # noqa: S608
    gate = "".join(f" AND {n} < {cap:d}" for n in counts)
    steps.append(f"everywhere AS MATERIALIZED ({match}{gate})")
    return "WITH " + ", ".join(steps), [f"w{i}" for i in range(len(levels))] + ["everywhere"]


def _pg_match(table: str, expr: str, cap: int) -> list[tuple[int, float, str | None]]:
    """The newest ``cap`` matches, with the row's length and the article's language, in
    one statement."""
    # Prepared: the plan is the same for every word (each step reads GIN), and planning
    # these steps took longer than running them for a common word.
    return db.obj.execute_prepared(*_pg_match_sql(table, expr, cap)).fetchall()


def _pg_match_sql(table: str, expr: str, cap: int) -> tuple[str, tuple]:
    """The statement of :func:`_pg_match`. A window's matches come from the index in no
    order and the server keeps the newest ``cap``: asking for "newest first" directly
    let the planner walk the table backwards, matching row by row.

    A prefix (``invo:*``, a single kanji) is asked in fewer windows (:func:`_levels`):
    the newest-first answer is the same from any window holding ``cap`` matches, since
    the windows are nested ranges of the newest ids. In bodies the narrow window still
    pays for a prefix: its few thousand rows hold enough matches of most words, and the
    wider one would read ten times as many rows."""
    prefix = ":*" in expr
    sql, asked = _pg_match_statement(table, cap, prefix, pgforms.WINDOW_SHIFTS)
    return sql, (expr,) * asked


@functools.lru_cache(maxsize=64)
def _pg_match_statement(table: str, cap: int, prefix: bool,
                        shifts: tuple[int, ...]) -> tuple[str, int]:
    """:func:`_pg_match_sql`'s text, ready for psycopg (composing and translating it
    took a tenth of a millisecond per statement), and how many times the tsquery is
    bound."""
    titles = table == "article_title_fts"
    fields = f"id AS rowid, {_PG_EXPR[table][1]} AS score, language"
    if titles:
        fields += ", title"
    steps, names = _pg_windows(table, fields, cap, _levels(shifts, prefix, titles))
    # Each step holds the one before it, so the answer is the one step that found
    # ``cap`` (no later step ran), else the last one (every step ran or was skipped).
    union = " UNION ALL ".join(
        [f"SELECT * FROM {name} WHERE (SELECT COUNT(*) FROM {name}) >= {cap:d}"  # noqa: S608
         for name in names[:-1]] + [f"SELECT * FROM {names[-1]}"])  # noqa: S608
    sql = f"{steps} SELECT * FROM ({union}) AS found ORDER BY rowid DESC LIMIT {cap:d}"  # noqa: S608
    return translate_query(sql), len(names)


def _matches(asked: list[tuple[str, str]], languages: dict[int, str],
             titles: dict[int, str]) -> list[list[tuple[int, float]]]:
    """``_match`` of each (table, expression); on PostgreSQL all sent at once (psycopg's
    pipeline: one round trip, not two per word of a long text)."""
    if not is_postgres() or not _pipelines():
        return [_match(table, expr, languages=languages, titles=titles)
                for table, expr in asked]
    cap = CANDIDATES + 1
    connection = db.connection()
    with peewee.__exception_wrapper__:
        with connection.pipeline():
            cursors = []
            for table, expr in asked:
                sql, params = _pg_match_sql(table, expr, cap)
                cursor = connection.cursor()
                cursor.execute(sql, params, prepare=True)
                cursors.append(cursor)
        out = []
        for cursor in cursors:
            rows = cursor.fetchall()
            _known(rows, languages, titles)
            out.append([(rid, score) for rid, score, *_ in rows])
    return out


def _pipelines() -> bool:
    """Whether psycopg can send statements in a pipeline (libpq 14 or newer)."""
    import psycopg  # only here: a SQLite portal never imports it

    return psycopg.Pipeline.is_supported()


def _body(terms: list[Term]) -> str:
    if is_postgres():
        return " & ".join(t.tsquery(phrases=False) for t in terms)
    return " AND ".join(t.fts(phrases=False) for t in terms)


def _title(terms: list[Term]) -> str:
    if is_postgres():  # no positions there: confirmed by _Titles
        return " & ".join(t.tsquery(phrases=False) for t in terms)
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
    languages: dict[int, str] = field(default_factory=dict)  # known already (PostgreSQL)
    # Any-word steps: how many of the query's words each article holds (synonyms count
    # for their word). More words rank first, before the reader's language: an article
    # in the other language that holds every word is a better answer than one in the
    # reader's language that holds one.
    coverage: dict[int, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.scores or self.title_ids)


def _ranked_ids(table: str, expr: str, languages: dict[int, str],
                titles: dict[int, str] | None = None) -> dict[int, float]:
    """Matches with a score: bm25 for a small set of a short query, else newest first."""
    # On PostgreSQL the score (the text's length) costs nothing more: ask for it at once.
    rows = _match(table, expr, scored=is_postgres(), languages=languages, titles=titles)
    if rows and len(rows) <= CANDIDATES and _phrases(expr) <= MAX_SCORED_PHRASES:
        return dict(rows) if is_postgres() else dict(_match(table, expr, scored=True))
    # A common word: keep FTS5's newest-first order instead of ranking everything.
    return {rid: float(i) for i, (rid, _) in enumerate(rows[:CANDIDATES])}


class _Titles:
    """PostgreSQL's title matches, confirmed: its title index has no positions, so a
    long Japanese word matched its bigrams in any order. Each title is normalized once,
    and only as many as the ranking needs (normalizing is the costly part)."""

    def __init__(self, titles: dict[int, str]):
        self.titles = titles
        self.normal: dict[int, str] = {}

    def hold(self, rid: int, checks: list[Term]) -> bool:
        if rid not in self.normal:
            self.normal[rid] = normalize(self.titles.get(rid, ""))
        return all(t.found_in(self.normal[rid]) for t in checks)

    def best(self, scores: dict[int, float], terms: list[Term], languages: dict[int, str],
             language: str, enough: int) -> dict[int, float]:
        """The matches holding ``terms``, taken in the order they would rank, until
        ``enough`` are found (SQLite's, and matches of exact tokens, need nothing)."""
        checks = [t for t in terms if t.needs_check]
        if not checks or not is_postgres():
            return scores
        kept: dict[int, float] = {}
        for rid in sorted(scores, key=lambda r: (languages.get(r) != language, scores[r], -r)):
            if self.hold(rid, checks):
                kept[rid] = scores[rid]
                if len(kept) == enough:
                    break
        return kept

    def holding(self, rows: list[tuple[int, float]], term: Term) -> list[int]:
        if not term.needs_check or not is_postgres():
            return [rid for rid, _ in rows]
        return [rid for rid, _ in rows if self.hold(rid, [term])]


def _step(terms: list[Term], any_word: bool, limit: int, language: str = "") -> _Found:
    """Ask both indexes for ``terms``, all of them or any of them."""
    languages: dict[int, str] = {}
    titles: dict[int, str] = {}
    confirm = _Titles(titles)
    if not any_word:
        title = _ranked_ids("article_title_fts", _title(terms), languages, titles)
        title = confirm.best(title, terms, languages, language, limit)
        if len(title) >= limit:
            # Title matches always rank first: enough of them make the body moot.
            return _Found(title, set(title), set(title), languages)
        scores = _ranked_ids("article_fts", _body(terms), languages)
        exact = not any(t.needs_check for t in terms)
        return _Found(scores, set(title), set(scores) | set(title) if exact else set(title),
                      languages)
    # Any word: rank by the words that match, a rare word counting more than a common
    # one (ログイン over 場合), and title matches counting extra. A word's synonyms are
    # asked apart from it and count less than the word itself.
    found = _Found({}, set(), set(), languages)
    units = []
    for number, term in enumerate(terms):
        if isinstance(term, Words) and 0 < term.same < len(term.options):
            units += [(number, term.narrowed(False), 1.0),
                      (number, term.narrowed(True), SYNONYM_WEIGHT)]
        else:
            units.append((number, term, 1.0))
    matches = _matches([("article_fts", _body([unit])) for _, unit, _ in units]
                       + [("article_title_fts", _title([unit])) for _, unit, _ in units],
                       languages, titles)
    body: dict[tuple[int, int], float] = {}
    title: dict[tuple[int, int], float] = {}
    for (number, unit, factor), rows, title_rows in zip(units, matches[:len(units)],
                                                        matches[len(units):], strict=True):
        rows = rows[:CANDIDATES]
        weight = factor / (1 + 0.25 * math.log(len(rows))) if rows else 0
        for rid, _ in rows:
            body[rid, number] = max(body.get((rid, number), 0), weight)
            if not unit.needs_check:
                found.trusted.add(rid)
        for rid in confirm.holding(title_rows[:CANDIDATES], unit):
            title[rid, number] = max(title.get((rid, number), 0), weight)
            found.trusted.add(rid)
    for (rid, _), weight in body.items():
        found.scores[rid] = found.scores.get(rid, 0) - weight
    title_counts: dict[int, int] = {}
    for (rid, _), weight in title.items():
        title_counts[rid] = title_counts.get(rid, 0) + 1
        found.scores[rid] = found.scores.get(rid, 0) - 0.5 * weight
    for rid, _ in set(body) | set(title):
        found.coverage[rid] = found.coverage.get(rid, 0) + 1
    found.title_ids = {rid for rid, n in title_counts.items() if n == len(terms)}
    return found


def _counts(table: str, exprs: list[str], cap: int) -> list[int]:
    """How many articles match each expression, counting no further than ``cap``."""
    if not is_postgres():
        return [len(_match(table, expr, cap=cap)) for expr in exprs]
    # One statement for every word of a long text. Any ``cap`` matches will do: among
    # the newest rows first (cheap for a common word), then anywhere (only when the
    # window held fewer).
    column = _PG_EXPR[table][0]
    window = _window_query(pgforms.WINDOW_SHIFTS[0])
    rows = f"SELECT 1 FROM article WHERE status = 'published' AND {column} @@ u.q"  # noqa: S608
    sql = (f"SELECT CASE WHEN recent.n >= {cap:d} THEN recent.n ELSE (SELECT COUNT(*) FROM"  # noqa: S608
           f" ({rows} LIMIT {cap:d}) AS e) END"
           " FROM unnest(?::tsquery[]) WITH ORDINALITY AS u (q, i) CROSS JOIN LATERAL"
           f" (SELECT COUNT(*) AS n FROM ({rows}"
           f" AND {column} @@ ({window}) LIMIT {cap:d}) AS w)"
           " AS recent ORDER BY u.i")
    return [row[0] for row in db.obj.execute_prepared(sql, (exprs,)).fetchall()]


# How many articles hold a word (up to RARITY_CAP), kept per owner (the app; each test
# has its own) for RARITY_KEPT seconds: pasted text repeats the same common words
# (ログイン, エラー), and counting thirteen words was a third of a paragraph's search
# on PostgreSQL. The counts only choose which words a paragraph is searched by, so one
# a minute old does no harm; this process's own article changes drop them at once.
RARITY_KEPT = 60.0
RARITY_WORDS = 20_000
_rarity: dict[int, dict[str, tuple[int, float]]] = {}


def forget_counts() -> None:
    _rarity.clear()


def _how_many(terms: list) -> list[int]:
    """How many articles hold each word, counting no further than RARITY_CAP (kept)."""
    from portal.kb.synonyms import owner

    now = time.monotonic()
    known = _rarity.setdefault(id(owner()), {})
    exprs = [_body([term]) for term in terms]
    missing = [e for e in dict.fromkeys(exprs)
               if e not in known or now - known[e][1] >= RARITY_KEPT]
    if missing:
        if len(known) + len(missing) > RARITY_WORDS:
            known.clear()
        for expr, n in zip(missing, _counts("article_fts", missing, RARITY_CAP), strict=True):
            known[expr] = (n, now)
    return [known[expr][0] for expr in exprs]


def _rarest(terms: list[Term], keep: int = 4) -> list[Term]:
    """The ``keep`` words found in the fewest articles (for long text)."""
    # A word found nowhere helps nobody.
    frequency = {term: n for term, n in zip(terms, _how_many(terms), strict=True) if n}
    return sorted(frequency, key=frequency.get)[:keep]


def plan(query: str) -> list[list[tuple[list, bool]]]:
    """The steps a query will be tried in, (words, any word suffices), in groups: the
    first group that finds something gives the results, each of its steps adding to
    the ones before (so exact matches come before synonyms')."""
    terms = parse(query)
    if not terms:
        return []
    words = lexicon.current()
    exact, wide = lexicon.both_content_words(query, words)
    if len(exact) > LONG_QUERY_WORDS:
        # Prose: its words are whole words, not prefixes being typed.
        # The lists are left out: prose has words enough, and an OR of every form of a
        # common word reads long lists (26-31 ms a paragraph at 100,000 articles).
        rare = _rarest([replace(t, prefix=False) if not t.cjk else t
                        for t in content_terms(terms)])
        return [[(rare, False)], [(rare, True)]] if rare else []
    # As typed; then the content words, then with their synonyms, each adding to the
    # one before while they are fewer than asked for. When every word typed is a
    # content word, the synonyms add to the words as typed at once (a reader whose
    # words an article of the other language uses also sees it).
    if [t.text for t in exact] == [t.text for t in terms]:
        groups = [[(terms, False)] + ([(wide, False)] if wide != terms else [])]
    else:
        groups = [[(terms, False)], [(step, False) for step in (exact, wide) if step]]
        if len(groups[1]) == 2 and exact == wide:
            groups[1].pop()
        groups = [group for group in groups if group]
    if len(wide or terms) > 1:
        groups.append([(wide or terms, True)])
    return groups


@dataclass
class Found:
    """What a search found: the hits, the words that found them, and a correction of
    the query ("Did you mean …") with ``corrected`` true when the hits are its own."""

    hits: list[Hit]
    terms: list
    suggestion: str = ""
    corrected: bool = False


def search(query: str, reader_language: str, limit: int = 10) -> tuple[list[Hit], list]:
    """The best ``limit`` published articles for ``query`` and the words that found them."""
    found = lookup(query, reader_language, limit)
    return found.hits, found.terms


def lookup(query: str, reader_language: str, limit: int = 10) -> Found:
    """:func:`search`, with a correction when the query finds little or nothing.

    When it finds nothing, or only articles holding some of its words, its words found
    in no article are corrected to a word one edit away (:mod:`portal.kb.slips`); if
    the corrected query finds something, it is offered, and its results are shown first
    when the query's own were nothing or partial while the correction's hold every word.
    """
    groups = plan(query)
    hits, terms, partial = _run(groups, reader_language, limit)
    if not groups or len(groups[0][0][0]) > LONG_QUERY_WORDS or (
            len(hits) >= FEW and not partial):
        return Found(hits, terms)
    suggestion = _corrected_query(query)
    if not suggestion:
        return Found(hits, terms)
    better, better_terms, better_partial = _run(plan(suggestion), reader_language, limit)
    if not better:
        return Found(hits, terms)
    if not hits or (partial and not better_partial):
        shown = {h.id for h in better}
        return Found((better + [h for h in hits if h.id not in shown])[:limit], better_terms,
                     suggestion, corrected=True)
    return Found(hits, terms, suggestion)


def _run(groups, reader_language: str, limit: int) -> tuple[list[Hit], list, bool]:
    """The hits of the first group of steps that finds something, its first step's
    words, and whether they match only some of the words (an any-word step)."""
    for group in groups:
        hits: list[Hit] = []
        used: list = []
        for terms, any_word in group:
            found = _step(terms, any_word, limit, reader_language)
            ranked = _ranked(found, reader_language, terms, any_word, limit) if found else []
            shown = {h.id for h in hits}
            added = [h for h in ranked if h.id not in shown][:limit - len(hits)]
            if added and not used:
                used = terms
            hits += added
            if len(hits) >= limit:
                break
        if hits:
            return hits, used, any(any_word for _, any_word in group)
    return [], [], False


def _corrected_query(query: str) -> str:
    """The query with each of its words that no article holds replaced by the likeliest
    word one edit away; empty when there is none."""
    words = lexicon.current()
    candidates = [t for t in lexicon.content_words(query, synonyms=False, lexicon=words)
                  if isinstance(t, Term) and len(t.text) >= (2 if t.cjk else 4)]
    candidates = candidates[:MAX_CORRECTED]
    if not candidates:
        return ""
    counts = _how_many(candidates)
    text = lexicon.typed_form(query)
    changed = False
    for term, count in zip(candidates, counts, strict=True):
        fixed = None if count else slips.correction(term.text, words.forms)
        if not fixed:
            continue
        typed = term.typed or term.text
        if typed.startswith(term.text):
            fixed += typed[len(term.text):]  # a final long-vowel mark as typed
        if term.cjk:
            text = text.replace(typed, fixed, 1)
        else:
            text = re.sub(r"(?<![^\W_])" + re.escape(typed) + r"(?![^\W_])",
                          lambda _m, fixed=fixed: fixed, text, count=1)
        changed = True
    return " ".join(text.split()) if changed else ""


def similar(title: str, language: str, exclude: int, limit: int = 5) -> list[Hit]:
    """Articles sharing content words with ``title`` (for "related articles", which show
    titles only: no snippets are made)."""
    terms = content_terms(parse(title)) or parse(title)
    if not terms:
        return []
    found = _step(terms, any_word=True, limit=limit, language=language)
    found.coverage.clear()  # related articles: the reader's language first
    found.scores.pop(exclude, None)
    found.title_ids.discard(exclude)
    return _ranked(found, language, terms, True, limit, snippets=False) if found else []


def _ranked(found: _Found, language: str, terms: list[Term], any_word: bool,
            limit: int, snippets: bool = True) -> list[Hit]:
    """Order the candidates, then confirm and dress the best ``limit`` of them."""
    ids = tuple(set(found.scores) | found.title_ids)
    if all(i in found.languages for i in ids):
        rows = [(i, found.languages[i]) for i in ids]
    else:
        rows = execute_planned(*_ids_in("SELECT id, language FROM article WHERE", ids)).fetchall()
    def rank(row: tuple[int, str]) -> tuple:
        return (row[0] not in found.title_ids, -found.coverage.get(row[0], 0),
                row[1] != language, found.scores.get(row[0], 1e9), -row[0])

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
    rows = {row[0]: row for row in execute_planned(
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
    folded = fold(text)  # one character for one: a match's place is the same in ``text``
    first = pattern.search(folded)
    start = max(0, (first.start() if first else 0) - size // 4)
    window = text[start:start + size]
    out = [Markup("…")] if start else []
    pos = 0
    for found in pattern.finditer(folded[start:start + size]):
        out.append(escape(window[pos:found.start()]))
        out.append(Markup("<mark>%s</mark>") % window[found.start():found.end()])
        pos = found.end()
    out.append(escape(window[pos:]))
    if start + size < len(text):
        out.append(Markup("…"))
    return Markup("").join(out)
