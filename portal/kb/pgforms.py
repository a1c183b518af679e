"""The search index on PostgreSQL: two GIN expression indexes on ``article``.

FTS5 keeps little more than article ids per token; a stored ``tsvector`` keeps each
token's text again, which made the index three times the size of the articles. Here
nothing is stored but the GIN indexes: two server-side functions compute an article's
tokens from its row, exactly as :func:`portal.kb.textforms.index_form` does in Python,
and GIN indexes their results (``WHERE status = 'published'``, so a draft is never
indexed and publishing is indexing):

* ``madoguchi_kb_body(id, title, plain)``: title and body, each token once;
* ``madoguchi_kb_title(id, title)``: the title's tokens.

Neither keeps positions: a phrase query would make GIN recheck every candidate by
computing the function again, so a long Japanese word is the AND of its covering
bigrams and is confirmed against the text in Python, on both indexes (see
:mod:`portal.kb.search`). Each vector also holds the window lexemes of its id
(``_w11_N``, ``_w14_N``; see ``WINDOW_SHIFTS`` and :mod:`portal.kb.search`).

The functions are generated from textforms' own tables (the Japanese letters, the kana
fold, the long-vowel dashes), so the two cannot drift apart unnoticed:
``tests/kb/test_pgforms.py`` compares them on tricky text. Their digest, with
``textforms.FORM_VERSION``, is the index's form, kept as the body index's comment;
``portal init`` rebuilds when a release brings another (:func:`search.follow_form`).
"""

from __future__ import annotations

import hashlib

from portal.kb import textforms

# The windows' sizes (see portal.kb.search): blocks of 2,048 and of 16,384 ids.
WINDOW_SHIFTS = (11, 14)

BODY_INDEX = "article_search_body"
TITLE_INDEX = "article_search_title"
BODY = "madoguchi_kb_body(id, title, plain)"
_TITLE_AND_PLAIN = "title || E'\\n' || plain"
TITLE = "madoguchi_kb_title(id, title)"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _vector(text: str) -> str:
    """SQL giving the ``tsvector`` of ``text``'s tokens (each once) and the window
    lexemes of ``id``: a Japanese run's bigrams and last character, other words whole,
    after NFKC, case folding and the long-vowel fold; the kana fold comes last, and only
    for tokens holding kana (``translate`` is slow)."""
    cjk = textforms.CJK_LETTERS
    windows = ", ".join(f"'_w{shift:d}_' || (id >> {shift:d})" for shift in WINDOW_SHIFTS)
    kana, katakana = textforms.KANA_FOLD_PAIRS
    typed = (f"pg_catalog.regexp_replace(pg_catalog.replace(pg_catalog.lower("
             f"pg_catalog.normalize({text}, 'NFKC')), 'ß', 'ss'), "
             f"{_literal(textforms.LONG_VOWEL_PATTERN)}, 'ー', 'g')")
    # Only textforms' constants are formatted in.
    return (
        f"WITH n AS MATERIALIZED (SELECT {typed} AS t),"  # noqa: S608
        f" tokens AS (SELECT pg_catalog.substr(r[1], j, 2) AS tok"
        f" FROM n, pg_catalog.regexp_matches(n.t, '[{cjk}]+', 'g') AS r,"
        f" pg_catalog.generate_series(1, pg_catalog.char_length(r[1])) AS j"
        f" UNION SELECT r[1] FROM n,"
        f" pg_catalog.regexp_matches(n.t, '(?:(?![{cjk}])[[:alnum:]])+', 'g') AS r)"
        f" SELECT pg_catalog.array_to_tsvector(ARRAY("
        f"SELECT CASE WHEN tok ~ '[ぁ-ゖゝゞ]' THEN pg_catalog.translate(tok, '{kana}',"
        f" '{katakana}') ELSE tok END FROM tokens"
        f" UNION ALL SELECT pg_catalog.unnest(ARRAY[{windows}])))")


def functions() -> tuple[str, ...]:
    """The ``CREATE OR REPLACE FUNCTION`` statements of both vectors."""
    # A high cost: the planner must never prefer computing them row by row to the index.
    # Not parallel: with that cost a search's plan would start workers (5 ms) to recheck
    # a handful of rows.
    head = "RETURNS tsvector LANGUAGE sql IMMUTABLE STRICT PARALLEL UNSAFE COST 10000 AS $$"
    return (f"CREATE OR REPLACE FUNCTION madoguchi_kb_body(id bigint, title text, plain text)"
            f" {head} {_vector(_TITLE_AND_PLAIN)} $$",
            f"CREATE OR REPLACE FUNCTION madoguchi_kb_title(id bigint, title text)"
            f" {head} {_vector('title')} $$")


def form() -> str:
    """This release's form of the index: what the comment on the body index must say."""
    digest = hashlib.sha256("\n".join(functions()).encode()).hexdigest()[:16]
    return f"{textforms.FORM_VERSION}:{digest}"


def indexes() -> tuple[str, ...]:
    # No pending list: searches read the index as it is, and a publish is indexed at once.
    return tuple(f"CREATE INDEX {name} ON article USING gin ({expr}) WITH (fastupdate = off)"
                 " WHERE status = 'published'" for name, expr in ((BODY_INDEX, BODY),
                                                                   (TITLE_INDEX, TITLE)))
