"""The outbox of notifications, the log of mail that came in, and a mail preference."""

STATEMENTS = [
    "ALTER TABLE user ADD COLUMN notify_own INTEGER NOT NULL DEFAULT 1",
    """CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        to_address TEXT NOT NULL,
        subject TEXT NOT NULL,
        text_body TEXT NOT NULL,
        html_body TEXT NOT NULL DEFAULT '',
        message_id TEXT NOT NULL UNIQUE,
        in_reply_to TEXT NOT NULL DEFAULT '',
        ticket_id INTEGER REFERENCES ticket (id) ON DELETE SET NULL,
        created_at TEXT NOT NULL,
        send_after TEXT NOT NULL,
        claimed_until TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT '',
        sent_at TEXT
    )""",
    "CREATE INDEX outbox_due ON outbox (sent_at, send_after)",
    """CREATE TABLE inbound_log (
        id INTEGER PRIMARY KEY,
        sender TEXT NOT NULL,
        subject TEXT NOT NULL,
        outcome TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '',
        ticket_id INTEGER REFERENCES ticket (id) ON DELETE SET NULL,
        created_at TEXT NOT NULL
    )""",
]
