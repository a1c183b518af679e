"""Settings come from defaults, PORTAL_* variables and the factory's overrides."""

import os
import stat

import pytest

from portal import create_app
from portal.config import ConfigError


def test_environment_variables_are_read_when_the_app_is_built(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "inst"))
    monkeypatch.setenv("PORTAL_DEFAULT_LOCALE", "en")
    monkeypatch.setenv("PORTAL_TICKET_PREFIX", "ACME")
    monkeypatch.setenv("PORTAL_MAX_UPLOAD_MB", "7")
    app = create_app()
    assert app.config["DEFAULT_LOCALE"] == "en"
    assert app.config["TICKET_PREFIX"] == "ACME"
    assert app.config["MAX_UPLOAD_MB"] == 7
    assert app.config["DATABASE"] == str(tmp_path / "inst" / "portal.db")


def test_overrides_win_over_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_TIMEZONE", "Europe/Paris")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "TIMEZONE": "UTC"})
    assert app.config["TIMEZONE"] == "UTC"


@pytest.mark.parametrize("name, value", [
    ("PORTAL_DEFAULT_LOCALE", "fr"),
    ("PORTAL_SMTP_TLS", "maybe"),
    ("PORTAL_TIMEZONE", "Mars/Olympus"),
    ("PORTAL_MAX_UPLOAD_MB", "twenty"),
])
def test_bad_settings_are_refused_with_the_variable_named(tmp_path, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_secret_key_is_generated_once_private_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path)})
    second = create_app({"INSTANCE_PATH": str(tmp_path)})
    key_file = tmp_path / "secret_key"
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_secret_key_from_environment_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_SECRET_KEY", "from-env")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SECRET_KEY"] == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_cookies_are_secure_behind_https(tmp_path):
    plain = create_app({"INSTANCE_PATH": str(tmp_path)})
    https = create_app({"INSTANCE_PATH": str(tmp_path), "BASE_URL": "https://help.example.com"})
    assert plain.config["SESSION_COOKIE_SECURE"] is False
    assert https.config["SESSION_COOKIE_SECURE"] is True
    assert https.config["SESSION_COOKIE_HTTPONLY"] is True
    assert https.config["SESSION_COOKIE_SAMESITE"] == "Lax"
