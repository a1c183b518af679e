"""Plans, organizations and their environments, products, users, sign-in throttle, audit."""

STATEMENTS = [
    """CREATE TABLE plan (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        name_en TEXT NOT NULL,
        name_ja TEXT NOT NULL,
        around_the_clock INTEGER NOT NULL DEFAULT 0,
        response_minutes TEXT NOT NULL DEFAULT '{}',
        resolution_minutes TEXT NOT NULL DEFAULT '{}',
        position INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE organization (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        slug TEXT NOT NULL UNIQUE,
        plan_id INTEGER NOT NULL REFERENCES plan (id),
        trial INTEGER NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE environment (
        id INTEGER PRIMARY KEY,
        organization_id INTEGER NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        UNIQUE (organization_id, name)
    )""",
    """CREATE TABLE product (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        name_en TEXT NOT NULL,
        name_ja TEXT NOT NULL,
        versions TEXT NOT NULL DEFAULT '',
        active INTEGER NOT NULL DEFAULT 1
    )""",
    """CREATE TABLE user (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('customer', 'agent', 'admin')),
        organization_id INTEGER REFERENCES organization (id),
        org_role TEXT CHECK (org_role IN ('org_admin', 'contact', 'member')),
        locale TEXT,
        timezone TEXT NOT NULL DEFAULT 'Asia/Tokyo',
        active INTEGER NOT NULL DEFAULT 1,
        session_token TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_login_at TEXT
    )""",
    "CREATE INDEX user_organization ON user (organization_id)",
    """CREATE TABLE login_throttle (
        key TEXT PRIMARY KEY,
        failures INTEGER NOT NULL DEFAULT 0,
        window_start TEXT NOT NULL,
        locked_until TEXT
    )""",
    """CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        actor_id INTEGER REFERENCES user (id),
        action TEXT NOT NULL,
        object_type TEXT NOT NULL,
        object_id INTEGER,
        detail TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX audit_object ON audit (object_type, object_id)",
]
