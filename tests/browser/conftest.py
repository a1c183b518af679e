"""Browser tests: Playwright drives Debian's Chromium against a live portal.

Where no Chromium is installed the tests are skipped with that reason, except in CI
(``CI=true``), where a missing browser is a failure: `.ci/run` installs it.
"""

from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

from portal.db import db
from tests.conftest import make_app

CHROMIUM = os.environ.get("PORTAL_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs Chromium at {CHROMIUM}; .ci/run installs it")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def _read_whole(file, block_size: int = 8192) -> list[bytes]:
    with file:
        return [file.read()]


def _closing_connections(wsgi_app):
    """This server starts a thread per request (gunicorn keeps a pool): close the
    thread's database connection once its response is done, or it lingers until
    collected (PostgreSQL's driver then warns about it)."""

    def run(environ, start_response):
        # Static files are read whole and closed at once: when the browser drops a request
        # halfway (a page left before its favicon came), the development server would
        # leave the open file to the garbage collector, which warns (an error here).
        environ["wsgi.file_wrapper"] = _read_whole
        try:
            return wsgi_app(environ, start_response)  # every page is rendered by now
        finally:
            db.close()

    return run


@contextmanager
def serving(tmp_path, **config):
    """A portal with the demo data, served on a free loopback port: yields (app, base)."""
    from portal import demo

    app = make_app(tmp_path, **config)
    db.connect(reuse_if_open=True)
    demo.load()
    app.wsgi_app = _closing_connections(app.wsgi_app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base  # links in mail point at this server
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, base
    finally:
        server.shutdown()
        thread.join(timeout=5)
        db.close()


@pytest.fixture
def live(tmp_path):
    """A portal with the demo data, served on a free loopback port for this test."""
    with serving(tmp_path) as (_, base):
        yield base


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    # Script errors, CSP violations and failed sub-resources are bugs. A page answering
    # 4xx on purpose (a form with errors) is not: its status is asserted by the tests.
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error"
            and not msg.text.startswith("Failed to load resource") and errors.append(msg.text))
    page.on("response", lambda r: r.status >= 400 and r.request.resource_type not in (
        "document", "xhr", "fetch") and errors.append(f"{r.status} {r.url}"))
    yield page
    context.close()
    assert errors == [], f"the page reported errors: {errors}"


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
