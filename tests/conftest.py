"""Every test gets a fresh app on its own temporary database.

SQLite by default: a file in the test's temporary folder. With
``PORTAL_TEST_DATABASE=postgresql://…`` (a server where that user may create databases)
the session makes one database on that server and migrates it once; every app then
starts on it with every table truncated (~60 ms; a new database per test would take
~0.5–1 s), and tests that need an empty database get a new one.
"""

from __future__ import annotations

import itertools
import os
import re

import pytest
from flask.testing import EnvironBuilder, FlaskClient

from portal import create_app
from portal.bootstrap import prepare
from portal.db import db

FAST_HASH = "scrypt:1024:8:1"  # the real default is scrypt's full cost; tests need speed
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class Client(FlaskClient):
    """A test client that can fetch a CSRF token the way a browser page carries it.

    It asks for English unless a test says otherwise, so assertions read plainly;
    the Japanese side has tests of its own.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    def csrf_token(self) -> str:
        page = self.get("/kb/").get_data(as_text=True)
        return CSRF_META.search(page).group(1)

    def submit(self, url: str, data: dict | None = None, **kwargs):
        """POST a form with a valid CSRF token, as the portal's own forms do.

        The encoded body is closed afterwards even when the app refused it unread
        (Werkzeug's test client leaves that temporary file open).
        """
        form = dict(data or {})
        form.setdefault("csrf_token", self.csrf_token())
        builder = EnvironBuilder(self.application, url, method="POST", data=form,
                                 environ_base=self._copy_environ({}), **kwargs)
        try:
            environ = builder.get_environ()
            return self.open(environ)
        finally:
            builder.close()
            environ["wsgi.input"].close()


TEST_DATABASE = os.environ.get("PORTAL_TEST_DATABASE", "")
ON_POSTGRES = TEST_DATABASE.startswith(("postgres://", "postgresql://"))
only_sqlite = pytest.mark.skipif(ON_POSTGRES, reason="SQLite only")


class PostgresDatabases:
    """Databases on the test server: one migrated database per session, emptied (every
    table truncated, the defaults seeded again) for each app; empty ones on request."""

    def __init__(self, url: str):
        self.url = url
        self.prefix = f"madoguchi_t{os.getpid()}"
        self.shared: str | None = None
        self.tables: list[str] = []
        self.made: list[str] = []
        self._numbers = itertools.count(1)

    def _admin(self, name: str | None = None):
        import psycopg

        return psycopg.connect(self.url_for(name) if name else self.url, autocommit=True)

    def url_for(self, name: str) -> str:
        base, _, _ = self.url.rpartition("/")
        return f"{base}/{name}"

    def create(self, name: str) -> str:
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url_for(name)

    def empty(self) -> str:
        """A new database with nothing in it (dropped after the test)."""
        name = f"{self.prefix}_{next(self._numbers)}"
        self.made.append(name)
        return self.create(name)

    def fresh(self) -> str:
        """The session's database with every row of the last test removed."""
        if self.shared is None:
            self._make_shared()
            return self.url_for(self.shared)
        if db.obj is not None and not db.is_closed():
            db.close()
        tables = ", ".join(f'"{t}"' for t in self.tables)
        with self._admin(self.shared) as conn:
            # A connection some earlier test left open must not hold the truncation up.
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                         " WHERE datname = current_database() AND pid <> pg_backend_pid()")
            conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        return self.url_for(self.shared)

    def _make_shared(self) -> None:
        from portal.db import bind

        name = f"{self.prefix}_shared"
        bind(self.create(name))
        db.connect()
        prepare()
        self.tables = [t for t in db.get_tables() if t != "schema_version"]
        db.close()
        self.shared = name

    def drop(self, names: list[str]) -> None:
        if db.obj is not None and not db.is_closed():
            db.close()
        with self._admin() as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_made(self) -> None:
        made, self.made = self.made, []
        if made:
            self.drop(made)


postgres = PostgresDatabases(TEST_DATABASE) if ON_POSTGRES else None


@pytest.fixture(autouse=True, scope="session")
def _postgres_session():
    yield
    if postgres is not None:
        postgres.drop_made()
        if postgres.shared:
            postgres.drop([postgres.shared])


@pytest.fixture(autouse=True)
def _postgres_cleanup():
    """Drop the databases this test's apps made (after its own fixtures closed)."""
    yield
    if postgres is not None:
        postgres.drop_made()


def empty_database(tmp_path) -> str:
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL database."""
    return postgres.empty() if postgres is not None else str(tmp_path / "empty.db")


def make_app(tmp_path, **overrides):
    if postgres is not None and "DATABASE" not in overrides:
        overrides["DATABASE"] = postgres.fresh()
    config = {
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret",
        "PASSWORD_HASH": FAST_HASH,
        "TESTING": True,
        **overrides,
    }
    app = create_app(config)
    app.test_client_class = Client
    prepare()
    return app


@pytest.fixture
def app(tmp_path):
    # No app context stays pushed: requests would share one ``g`` (and its CSRF token).
    # Services need none; they use the bound database directly.
    app = make_app(tmp_path)
    db.connect(reuse_if_open=True)
    yield app
    db.close()


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login(client):
    """Sign ``client`` in as the user with ``email`` (password from the factories)."""
    from tests.factories import PASSWORD

    def sign_in(email: str, password: str = PASSWORD):
        response = client.submit("/login", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return sign_in


@pytest.fixture
def demo(app):
    from portal import demo as demo_data

    demo_data.load()
    return demo_data
