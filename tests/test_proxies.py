"""PORTAL_TRUSTED_PROXIES: whose X-Forwarded-* headers the portal believes."""

import pytest

from portal.config import ConfigError
from tests.conftest import make_app

FORGED = {"X-Forwarded-For": "198.51.100.23", "X-Forwarded-Proto": "https",
          "X-Forwarded-Host": "evil.example"}


def _app(tmp_path, **config):
    """An app with a probe route that records what it takes as the client's address,
    scheme and host."""
    app = make_app(tmp_path, **config)
    app.seen = {}

    @app.get("/_whoami")
    def whoami():
        from flask import request

        app.seen.update(addr=request.remote_addr, scheme=request.scheme, host=request.host)
        return "ok"

    return app


def _seen(app, remote: str, headers: dict) -> tuple[str, str, str]:
    app.test_client().get("/_whoami", headers=headers, environ_base={"REMOTE_ADDR": remote})
    return app.seen["addr"], app.seen["scheme"], app.seen["host"]


def test_forwarded_headers_are_not_believed_by_default(tmp_path):
    app = _app(tmp_path)
    assert _seen(app, "203.0.113.5", FORGED) == ("203.0.113.5", "http", "localhost")
    assert _seen(app, "127.0.0.1", FORGED) == ("127.0.0.1", "http", "localhost")


def test_a_count_of_proxies_is_believed(tmp_path):
    app = _app(tmp_path, TRUSTED_PROXIES="1")
    headers = {**FORGED, "X-Forwarded-For": "6.6.6.6, 198.51.100.23"}
    assert _seen(app, "10.0.0.2", headers) == ("198.51.100.23", "https", "evil.example")


def test_listed_proxies_are_believed_and_nobody_else(tmp_path):
    app = _app(tmp_path, TRUSTED_PROXIES="10.0.0.2, 192.168.7.0/24")
    assert _seen(app, "10.0.0.2", FORGED)[0] == "198.51.100.23"
    assert _seen(app, "192.168.7.9", FORGED)[0] == "198.51.100.23"
    # A client that talks to the portal directly cannot pick its address.
    assert _seen(app, "203.0.113.5", FORGED) == ("203.0.113.5", "http", "localhost")
    # A chain of listed proxies is followed to the first address that is not one of them;
    # what the client itself wrote in front stays ignored.
    chain = {"X-Forwarded-For": "6.6.6.6, 198.51.100.23, 192.168.7.1"}
    assert _seen(app, "10.0.0.2", chain)[0] == "198.51.100.23"


def test_behind_a_proxy_the_sign_in_throttle_counts_each_client(tmp_path):
    """Before: every sign-in came from the proxy's address, so 50 failures from anyone
    locked out everyone."""
    from portal.db import db
    from tests import factories

    app = make_app(tmp_path, TRUSTED_PROXIES="10.0.0.2", LOGIN_IP_MAX_FAILURES=5)
    db.connect(reuse_if_open=True)
    try:
        factories.user("mika@example.com")
        attacker = app.test_client()
        attacker.environ_base["REMOTE_ADDR"] = "10.0.0.2"
        for i in range(6):
            attacker.submit("/login", {"email": f"x{i}@example.com", "password": "guess"},
                            headers={"X-Forwarded-For": "203.0.113.66"})
        owner = app.test_client()
        owner.environ_base["REMOTE_ADDR"] = "10.0.0.2"
        response = owner.submit("/login", {"email": "mika@example.com",
                                           "password": factories.PASSWORD},
                                headers={"X-Forwarded-For": "198.51.100.7"})
        assert response.status_code == 302
    finally:
        db.close()


@pytest.mark.parametrize("value", ["yes", "10.0.0.300", "10.0.0.1,,nonsense", "-1", "²", "99"])
def test_a_bad_value_stops_the_start_naming_the_variable(tmp_path, value):
    with pytest.raises(ConfigError, match="PORTAL_TRUSTED_PROXIES"):
        make_app(tmp_path, TRUSTED_PROXIES=value)
