"""Knowledge-base articles, reader feedback, deflections, and the two search indexes.

The indexes are contentless FTS5 tables over the bigram form of the text (see
``portal.kb.textforms``): they keep no copy of the text, which keeps them far
smaller than the articles themselves. Only published articles are indexed.
"""

STATEMENTS = [
    """CREATE TABLE article (
        id INTEGER PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        body_html TEXT NOT NULL,
        plain TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('faq', 'known_issue', 'howto')),
        category TEXT NOT NULL DEFAULT '',
        product_id INTEGER REFERENCES product (id),
        language TEXT NOT NULL CHECK (language IN ('ja', 'en')),
        status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
        helpful INTEGER NOT NULL DEFAULT 0,
        not_helpful INTEGER NOT NULL DEFAULT 0,
        views INTEGER NOT NULL DEFAULT 0,
        author_id INTEGER REFERENCES user (id),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        published_at TEXT
    )""",
    "CREATE INDEX article_status_views ON article (status, views DESC)",
    "CREATE INDEX article_category ON article (status, category)",
    """CREATE TABLE article_feedback (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES article (id) ON DELETE CASCADE,
        voter TEXT NOT NULL,
        helpful INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (article_id, voter)
    )""",
    """CREATE TABLE deflection (
        id INTEGER PRIMARY KEY,
        article_id INTEGER REFERENCES article (id) ON DELETE SET NULL,
        user_id INTEGER REFERENCES user (id),
        query TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX deflection_created ON deflection (created_at)",
    # Title and body, without positions (detail=none): about a quarter of the text's
    # size. Long Japanese words are matched as the AND of their bigrams and confirmed
    # against the text before they are shown.
    """CREATE VIRTUAL TABLE article_fts USING fts5(
        text, content='', detail=none, tokenize='unicode61 remove_diacritics 0')""",
    # Titles with positions, so a title match is an exact phrase match.
    """CREATE VIRTUAL TABLE article_title_fts USING fts5(
        title, content='', tokenize='unicode61 remove_diacritics 0')""",
]
