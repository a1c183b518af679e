"""Administration: technical-contact limits per plan, invitations, outbox discards."""

STATEMENTS = [
    # NULL: no limit. Counts active members who may file (org admins and contacts).
    "ALTER TABLE plan ADD COLUMN contact_limit INTEGER CHECK (contact_limit >= 0)",
    "UPDATE plan SET contact_limit = 2 WHERE code = 'basic'",
    "UPDATE plan SET contact_limit = 5 WHERE code = 'advanced'",
    "UPDATE plan SET contact_limit = 10 WHERE code = 'premium'",
    """CREATE TABLE invitation (
        id INTEGER PRIMARY KEY,
        organization_id INTEGER NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
        email TEXT NOT NULL,
        org_role TEXT NOT NULL CHECK (org_role IN ('org_admin', 'contact', 'member')),
        nonce TEXT NOT NULL UNIQUE,
        invited_by_id INTEGER REFERENCES "user" (id),
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        accepted_at TEXT,
        accepted_user_id INTEGER REFERENCES "user" (id),
        revoked_at TEXT
    )""",
    "CREATE INDEX invitation_org_created ON invitation (organization_id, created_at)",
    "CREATE INDEX invitation_email ON invitation (email)",
    "CREATE INDEX audit_created ON audit (created_at)",
    "CREATE INDEX audit_actor ON audit (actor_id, created_at)",
    # Discarding keeps the row (and says why) instead of deleting it.
    "ALTER TABLE outbox ADD COLUMN discarded_at TEXT",
    "ALTER TABLE outbox ADD COLUMN discarded_reason TEXT NOT NULL DEFAULT ''",
    'ALTER TABLE outbox ADD COLUMN discarded_by_id INTEGER REFERENCES "user" (id)',
]
