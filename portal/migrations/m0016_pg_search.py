"""PostgreSQL's search moves into two GIN expression indexes on ``article``.

The tables that stood in for FTS5 there (a stored ``tsvector`` per article, three times
the articles' size with their indexes) give way to indexes over functions that compute
the vectors from the row (:mod:`portal.kb.pgforms`). ``portal init`` creates those
functions and indexes after the steps (``search.follow_form``), because they follow the
release's text form, not the schema's version. SQLite keeps its FTS5 tables.
"""

STATEMENTS: list[str] = []

POSTGRES = [
    "DROP TABLE IF EXISTS article_fts",
    "DROP TABLE IF EXISTS article_title_fts",
    # Room on each page for a changed row (a view count) to stay on it: such an update
    # then touches no index, so the search vectors are not computed again.
    "ALTER TABLE article SET (fillfactor = 90)",
]
