"""Mail that loses nothing and sends once: failed outgoing mail, per-recipient reply
addresses, one inbound record per Message-ID, and the auto-replies already sent."""

STATEMENTS = [
    "ALTER TABLE outbox ADD COLUMN reply_to TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE outbox ADD COLUMN failed_at TEXT",
    "ALTER TABLE inbound_log ADD COLUMN message_id TEXT",
    # NULLs are distinct in a unique index (SQLite and PostgreSQL alike): only mail that
    # was handled for good carries its Message-ID here.
    "CREATE UNIQUE INDEX inbound_log_message_id ON inbound_log (message_id)",
    """CREATE TABLE mail_auto_reply (
        id INTEGER PRIMARY KEY,
        address TEXT NOT NULL,
        day TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (address, day)
    )""",
]
