"""The agent's workspace: who spoke last, saved views, canned replies, presence on a
ticket, links to articles placed in replies, and per-day counters for the dashboard."""

STATEMENTS = [
    # Who wrote the last public message (NULL: the description, i.e. the requester), and
    # whether that was the customer: the "waiting on us" view counts it from an index.
    'ALTER TABLE ticket ADD COLUMN last_public_author_id INTEGER REFERENCES "user" (id)',
    "ALTER TABLE ticket ADD COLUMN customer_spoke_last INTEGER NOT NULL DEFAULT 1",
    """UPDATE ticket SET last_public_author_id = (
        SELECT m.author_id FROM message m
        WHERE m.ticket_id = ticket.id AND m.kind = 'reply' ORDER BY m.id DESC LIMIT 1)""",
    """UPDATE ticket SET customer_spoke_last = 0 WHERE last_public_author_id IN (
        SELECT id FROM "user" WHERE role IN ('agent', 'admin'))""",
    # Each queue view is counted by walking one small index (see portal/staff/queue.py).
    """CREATE INDEX ticket_open_waiting ON ticket (customer_spoke_last, last_activity_at DESC)
        WHERE status IN ('new', 'investigating', 'waiting_on_customer')""",
    """CREATE INDEX ticket_open_escalated ON ticket (escalated, last_activity_at DESC)
        WHERE status IN ('new', 'investigating', 'waiting_on_customer')""",
    # Covers the dashboard's window queries (first response, SLA attainment): they read
    # the index alone, never the ticket rows.
    """CREATE INDEX ticket_created ON ticket (created_at, first_response_at, organization_id,
        first_response_due, response_breached, resolution_breached)""",
    """CREATE TABLE saved_view (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        filters TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX saved_view_user ON saved_view (user_id, name)",
    """CREATE TABLE canned_reply (
        id INTEGER PRIMARY KEY,
        owner_id INTEGER REFERENCES "user" (id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        language TEXT NOT NULL CHECK (language IN ('ja', 'en')),
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX canned_reply_language ON canned_reply (language, title)",
    """CREATE TABLE presence (
        ticket_id INTEGER NOT NULL REFERENCES ticket (id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
        replying INTEGER NOT NULL DEFAULT 0,
        typing_since TEXT,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (ticket_id, user_id)
    )""",
    "ALTER TABLE article ADD COLUMN links INTEGER NOT NULL DEFAULT 0",
    "CREATE INDEX article_status_links ON article (status, links DESC)",
    """CREATE TABLE daily_count (
        day TEXT NOT NULL,
        name TEXT NOT NULL,
        value INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (day, name)
    )""",
    # History for the dashboard's per-day chart, from what the tickets already record.
    """INSERT INTO daily_count (day, name, value)
        SELECT substr(created_at, 1, 10), 'created', COUNT(*) FROM ticket
        GROUP BY substr(created_at, 1, 10)""",
    """INSERT INTO daily_count (day, name, value)
        SELECT substr(resolved_at, 1, 10), 'solved', COUNT(*) FROM ticket
        WHERE resolved_at IS NOT NULL GROUP BY substr(resolved_at, 1, 10)""",
    """INSERT INTO daily_count (day, name, value)
        SELECT substr(created_at, 1, 10), 'answered', COUNT(*) FROM deflection
        GROUP BY substr(created_at, 1, 10)""",
]
