"""Every test gets a fresh app on its own temporary SQLite file."""

from __future__ import annotations

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


def make_app(tmp_path, **overrides):
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
