"""Business calendars, SLA policies, the tickets' SLA clocks, pauses and warnings."""

STATEMENTS = [
    """CREATE TABLE calendar (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        timezone TEXT NOT NULL,
        hours TEXT NOT NULL DEFAULT '{}',
        national_holidays TEXT NOT NULL DEFAULT '',
        year_end INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE calendar_holiday (
        id INTEGER PRIMARY KEY,
        calendar_id INTEGER NOT NULL REFERENCES calendar (id) ON DELETE CASCADE,
        day TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        yearly INTEGER NOT NULL DEFAULT 0,
        UNIQUE (calendar_id, day)
    )""",
    """CREATE TABLE sla_policy (
        id INTEGER PRIMARY KEY,
        plan_id INTEGER NOT NULL REFERENCES plan (id) ON DELETE CASCADE,
        priority INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 4),
        target TEXT NOT NULL CHECK (target IN
            ('first_response', 'next_response', 'resolution')),
        minutes INTEGER NOT NULL CHECK (minutes > 0),
        calendar_id INTEGER REFERENCES calendar (id),
        updated_at TEXT NOT NULL,
        UNIQUE (plan_id, priority, target)
    )""",
    # The clock of the next response starts at a customer's reply while the ticket waits
    # on support. sla_due is the earliest due time still open, sla_risk_at the earliest
    # moment a running target is "at risk", sla_alert_at when the tick must look again.
    "ALTER TABLE ticket ADD COLUMN next_response_since TEXT",
    "ALTER TABLE ticket ADD COLUMN next_response_due TEXT",
    "ALTER TABLE ticket ADD COLUMN next_responded_at TEXT",
    "ALTER TABLE ticket ADD COLUMN next_response_breached INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE ticket ADD COLUMN sla_due TEXT",
    "ALTER TABLE ticket ADD COLUMN sla_risk_at TEXT",
    "ALTER TABLE ticket ADD COLUMN sla_alert_at TEXT",
    # sort=due walks this index; tickets with nothing due sort last (the literal must
    # match the queue's ORDER BY for the index to be used). sla=breached is a range of it;
    # sla=at_risk the range after now, filtered on sla_risk_at without reading the table.
    """CREATE INDEX ticket_open_due ON ticket
        (COALESCE(sla_due, '9999-12-31 00:00:00'), id, sla_risk_at)
        WHERE status IN ('new', 'investigating', 'waiting_on_customer')""",
    "CREATE INDEX ticket_sla_alert ON ticket (sla_alert_at) WHERE sla_alert_at IS NOT NULL",
    """CREATE TABLE sla_pause (
        id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL REFERENCES ticket (id) ON DELETE CASCADE,
        started_at TEXT NOT NULL,
        ended_at TEXT
    )""",
    "CREATE INDEX sla_pause_ticket ON sla_pause (ticket_id, started_at)",
    # One row per warning sent: the unique key is what makes two tick runners send one
    # mail. started_at tells one round of a next-response clock from the next.
    """CREATE TABLE sla_notice (
        id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL REFERENCES ticket (id) ON DELETE CASCADE,
        target TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('at_risk', 'breached')),
        started_at TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (ticket_id, target, kind, started_at)
    )""",
]
