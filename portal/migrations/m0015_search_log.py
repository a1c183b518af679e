"""The search log: what readers searched for, what they were shown, and how it ended."""

STATEMENTS = [
    """CREATE TABLE search_log (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        query TEXT NOT NULL,
        language TEXT NOT NULL,
        results INTEGER NOT NULL DEFAULT 0,
        top_article_id INTEGER REFERENCES article (id) ON DELETE SET NULL,
        shown TEXT NOT NULL DEFAULT '',
        user_id INTEGER REFERENCES "user" (id) ON DELETE SET NULL,
        visitor TEXT,
        clicked INTEGER NOT NULL DEFAULT 0,
        answered INTEGER NOT NULL DEFAULT 0,
        filed INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        last_at TEXT NOT NULL
    )""",
    # The period's rows for the gaps page and the dashboard (covering for the
    # dashboard's counts), and the purge.
    "CREATE INDEX search_log_last_at ON search_log (last_at, results, clicked, answered, filed)",
    # A searcher's latest rows: the writer continues one, an outcome finds one.
    "CREATE INDEX search_log_visitor ON search_log (visitor, id) WHERE visitor IS NOT NULL",
    "CREATE INDEX search_log_user ON search_log (user_id, id) WHERE user_id IS NOT NULL",
    "CREATE INDEX search_log_top_article ON search_log (top_article_id)"
    " WHERE top_article_id IS NOT NULL",
]
