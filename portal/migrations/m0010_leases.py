"""Leases for background jobs, so several app servers run each job once at a time."""

STATEMENTS = [
    """CREATE TABLE job_lease (
        name TEXT PRIMARY KEY,
        owner TEXT NOT NULL DEFAULT '',
        expires_at TEXT NOT NULL,
        last_started_at TEXT,
        last_finished_at TEXT,
        last_error TEXT NOT NULL DEFAULT ''
    )""",
]
