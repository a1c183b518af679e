"""Ticket types per plan, tickets, participants, messages, attachments, numbering."""

STATEMENTS = [
    "ALTER TABLE plan ADD COLUMN default_severity INTEGER NOT NULL DEFAULT 3",
    """CREATE TABLE ticket_type (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        name_en TEXT NOT NULL,
        name_ja TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN
            ('incident', 'question', 'request', 'billing', 'account', 'callback')),
        template_en TEXT NOT NULL DEFAULT '',
        template_ja TEXT NOT NULL DEFAULT '',
        asks TEXT NOT NULL DEFAULT '[]',
        position INTEGER NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1
    )""",
    """CREATE TABLE plan_ticket_type (
        plan_id INTEGER NOT NULL REFERENCES plan (id) ON DELETE CASCADE,
        ticket_type_id INTEGER NOT NULL REFERENCES ticket_type (id) ON DELETE CASCADE,
        PRIMARY KEY (plan_id, ticket_type_id)
    )""",
    """CREATE TABLE counter (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    )""",
    """CREATE TABLE ticket (
        id INTEGER PRIMARY KEY,
        number INTEGER NOT NULL UNIQUE,
        organization_id INTEGER NOT NULL REFERENCES organization (id),
        requester_id INTEGER NOT NULL REFERENCES user (id),
        created_by_id INTEGER NOT NULL REFERENCES user (id),
        type_id INTEGER NOT NULL REFERENCES ticket_type (id),
        product_id INTEGER REFERENCES product (id),
        environment_id INTEGER REFERENCES environment (id),
        severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 4),
        priority INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 4),
        status TEXT NOT NULL CHECK (status IN
            ('new', 'investigating', 'waiting_on_customer', 'resolved', 'closed')),
        subject TEXT NOT NULL,
        assignee_id INTEGER REFERENCES user (id),
        escalated INTEGER NOT NULL DEFAULT 0,
        escalation_reason TEXT NOT NULL DEFAULT '',
        follow_up_of_id INTEGER REFERENCES ticket (id),
        occurred_at TEXT,
        incident_state TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        submission TEXT UNIQUE,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        last_activity_at TEXT NOT NULL,
        first_response_due TEXT,
        resolution_due TEXT,
        first_response_at TEXT,
        resolved_at TEXT,
        closed_at TEXT,
        status_changed_at TEXT NOT NULL,
        response_breached INTEGER NOT NULL DEFAULT 0,
        resolution_breached INTEGER NOT NULL DEFAULT 0
    )""",
    # The queue reads one page in index order: no sort of the whole table. Open tickets
    # (the default view) have an index of their own; the queue's condition must be
    # written with literal statuses for SQLite to use it.
    """CREATE INDEX ticket_open_activity ON ticket (last_activity_at DESC, id DESC)
        WHERE status IN ('new', 'investigating', 'waiting_on_customer')""",
    """CREATE INDEX ticket_open_severity ON ticket (severity, last_activity_at DESC)
        WHERE status IN ('new', 'investigating', 'waiting_on_customer')""",
    """CREATE INDEX ticket_open_priority ON ticket (priority, last_activity_at DESC)
        WHERE status IN ('new', 'investigating', 'waiting_on_customer')""",
    "CREATE INDEX ticket_status_activity ON ticket (status, last_activity_at DESC, id DESC)",
    "CREATE INDEX ticket_activity ON ticket (last_activity_at DESC, id DESC)",
    "CREATE INDEX ticket_org_activity ON ticket (organization_id, last_activity_at DESC)",
    "CREATE INDEX ticket_requester ON ticket (requester_id, last_activity_at DESC)",
    "CREATE INDEX ticket_assignee ON ticket (assignee_id, status)",
    "CREATE INDEX ticket_status_changed ON ticket (status, status_changed_at)",
    """CREATE TABLE participant (
        ticket_id INTEGER NOT NULL REFERENCES ticket (id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES user (id),
        PRIMARY KEY (ticket_id, user_id)
    )""",
    "CREATE INDEX participant_user ON participant (user_id)",
    """CREATE TABLE message (
        id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL REFERENCES ticket (id) ON DELETE CASCADE,
        author_id INTEGER REFERENCES user (id),
        kind TEXT NOT NULL CHECK (kind IN ('reply', 'note', 'event')),
        body TEXT NOT NULL,
        body_html TEXT NOT NULL,
        channel TEXT NOT NULL DEFAULT 'web' CHECK (channel IN ('web', 'email')),
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX message_ticket ON message (ticket_id, id)",
    """CREATE TABLE attachment (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES message (id) ON DELETE CASCADE,
        ticket_id INTEGER NOT NULL REFERENCES ticket (id) ON DELETE CASCADE,
        filename TEXT NOT NULL,
        stored_name TEXT NOT NULL UNIQUE,
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX attachment_message ON attachment (message_id)",
]
