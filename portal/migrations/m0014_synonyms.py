"""Synonym groups staff add to search, and the title words slips are corrected against.

``kb_synonym`` holds one group a row (its words, one a line); ``kb_synonym_revision``
is raised by every change, so each worker reads the groups again (portal.kb.lexicon).
``kb_word`` counts the published articles whose title holds each word, and
``kb_word_key`` files every word under itself and each form with one character
deleted, so the words one edit away from a typed word are found with one indexed
lookup (portal.kb.slips).
"""

STATEMENTS = [
    """CREATE TABLE kb_synonym (
        id INTEGER PRIMARY KEY,
        words TEXT NOT NULL
    )""",
    """CREATE TABLE kb_synonym_revision (
        id INTEGER PRIMARY KEY,
        value INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE kb_word (
        word TEXT PRIMARY KEY,
        articles INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE kb_word_key (
        word_key TEXT NOT NULL,
        word TEXT NOT NULL,
        PRIMARY KEY (word_key, word)
    )""",
]
