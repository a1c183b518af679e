"""Satisfaction votes (one per ticket) and what a reader missed in an article."""

STATEMENTS = [
    """CREATE TABLE satisfaction (
        id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL UNIQUE REFERENCES ticket (id) ON DELETE CASCADE,
        voter_id INTEGER NOT NULL REFERENCES "user" (id),
        rating TEXT NOT NULL CHECK (rating IN ('good', 'bad')),
        comment TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "ALTER TABLE article_feedback ADD COLUMN comment TEXT NOT NULL DEFAULT ''",
]
