"""Settings: defaults, ``PORTAL_*`` environment variables, and the instance folder.

Nothing here runs at import time; :func:`load` is called by the app factory with the
environment of that moment, so tests never have to reload modules.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# Every setting, its default and how an environment string becomes a value.
# The environment variable of ``KEY`` is ``PORTAL_KEY``.
DEFAULTS: dict[str, tuple[Any, type]] = {
    "DATABASE": ("", str),  # empty: <instance>/portal.db
    "SECRET_KEY": ("", str),  # empty: generated once into the instance folder
    "UPLOAD_DIR": ("", str),  # empty: <instance>/uploads
    "MAX_UPLOAD_MB": (20, int),
    "MAX_TICKET_UPLOAD_MB": (50, int),
    "BASE_URL": ("http://127.0.0.1:5000", str),
    "SMTP_HOST": ("", str),
    "SMTP_PORT": (25, int),
    "SMTP_USER": ("", str),
    "SMTP_PASSWORD": ("", str),
    "SMTP_TLS": ("none", str),
    "MAIL_FROM": ("support@localhost", str),
    "MAIL_AUTHSERV_ID": ("", str),  # our MTA's Authentication-Results id; empty: the topmost
    "MAIL_MAX_ATTEMPTS": (20, int),  # tries before an outgoing mail is marked failed
    "DEFAULT_LOCALE": ("ja", str),
    "TIMEZONE": ("Asia/Tokyo", str),
    "TICKET_PREFIX": ("MDG", str),
    "PASSWORD_HASH": ("scrypt", str),
    "LOGIN_MAX_FAILURES": (10, int),
    "LOGIN_IP_MAX_FAILURES": (50, int),
    "LOGIN_WINDOW_MINUTES": (15, int),
    "SECURE_COOKIES": ("auto", str),  # auto: Secure when BASE_URL is https
    "AUTO_RESOLVE_DAYS": (5, int),  # waiting on the customer this long: resolved
    "AUTO_CLOSE_DAYS": (7, int),  # resolved this long: closed
    "TICK_SECONDS": (60, int),  # how often `portal serve` runs the tick
    "INVITES_PER_DAY": (20, int),  # invitations an organization may send in 24 hours
    "MAIL_WORKER_SECONDS": (10, int),  # how often `portal serve` sends what is due
    "LEASE_GRACE_SECONDS": (30, int),  # a silent job holder keeps its lease this long
    "IMAP_HOST": ("", str),  # empty: no mailbox polling
    "IMAP_PORT": (993, int),
    "IMAP_TLS": ("ssl", str),  # ssl, starttls, or none (a relay on the same host)
    "IMAP_USER": ("", str),
    "IMAP_PASSWORD": ("", str),
    "IMAP_FOLDER": ("INBOX", str),
    # Reverse proxies in front of the portal: a count ("1") or their addresses/networks
    # ("10.0.0.5, 10.1.0.0/16"). Empty: X-Forwarded-* headers are never believed.
    "TRUSTED_PROXIES": ("", str),
    "SLA_AT_RISK_PERCENT": (80, int),  # share of a target used when the tick warns
    "SEARCH_LOG_DAYS": (90, int),  # searches kept for the gaps page; the tick purges older
}

LOCALES = ("ja", "en")
SMTP_TLS_MODES = ("none", "starttls", "ssl")


class ConfigError(ValueError):
    """A setting has a value the portal cannot work with."""


def instance_path(overrides: Mapping[str, Any] | None = None) -> str:
    """Where the SQLite file, secret key and uploads live (absolute)."""
    path = (overrides or {}).get("INSTANCE_PATH") or os.environ.get("PORTAL_INSTANCE_PATH")
    return str(Path(path or Path.cwd() / "instance").resolve())


def _cast(key: str, raw: str, kind: type) -> Any:
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"PORTAL_{key} must be a whole number, not {raw!r}") from None
    return raw


def load(app_config: dict, instance: str, overrides: Mapping[str, Any] | None = None) -> None:
    """Fill ``app_config`` from defaults, then the environment, then ``overrides``."""
    values = {key: default for key, (default, _) in DEFAULTS.items()}
    for key, (_, kind) in DEFAULTS.items():
        raw = os.environ.get(f"PORTAL_{key}")
        if raw is not None and raw != "":
            values[key] = _cast(key, raw, kind)
    values.update(overrides or {})

    Path(instance).mkdir(parents=True, exist_ok=True)
    if not values["DATABASE"]:
        values["DATABASE"] = str(Path(instance) / "portal.db")
    if not values["UPLOAD_DIR"]:
        values["UPLOAD_DIR"] = str(Path(instance) / "uploads")
    if not values["SECRET_KEY"]:
        values["SECRET_KEY"] = _instance_secret(Path(instance) / "secret_key")
    _check(values)

    app_config.update(values)
    https = values["BASE_URL"].startswith("https://")
    secure = {"auto": https, "on": True, "off": False}.get(values["SECURE_COOKIES"], https)
    app_config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_NAME="madoguchi_session",
        PREFERRED_URL_SCHEME="https" if https else "http",
        # The whole request body: every file of one ticket plus its form fields.
        MAX_CONTENT_LENGTH=(values["MAX_TICKET_UPLOAD_MB"] + 1) * 1024 * 1024,
        BABEL_DEFAULT_LOCALE=values["DEFAULT_LOCALE"],
        BABEL_DEFAULT_TIMEZONE=values["TIMEZONE"],
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
    )


def trusted_proxies(raw: str) -> int | tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """``PORTAL_TRUSTED_PROXIES`` read: a count of proxies, or the networks they are in."""
    raw = str(raw if raw is not None else "").strip()
    if not raw or (raw.isascii() and raw.isdigit()):
        if raw and int(raw) > 10:
            raise ConfigError("PORTAL_TRUSTED_PROXIES counts proxies: at most 10")
        return int(raw or 0)
    try:
        return tuple(ipaddress.ip_network(part.strip(), strict=False)
                     for part in raw.split(",") if part.strip())
    except ValueError:
        raise ConfigError(
            "PORTAL_TRUSTED_PROXIES must be a number of proxies or a comma-separated list of "
            f"their addresses, not {raw!r}") from None


def _check(values: dict) -> None:
    if values["DEFAULT_LOCALE"] not in LOCALES:
        raise ConfigError(f"PORTAL_DEFAULT_LOCALE must be one of {', '.join(LOCALES)}")
    for key in ("SMTP_TLS", "IMAP_TLS"):
        if values[key] not in SMTP_TLS_MODES:
            raise ConfigError(f"PORTAL_{key} must be one of {', '.join(SMTP_TLS_MODES)}")
    from portal.clock import real_zones

    if values["TIMEZONE"] not in real_zones():
        raise ConfigError(
            f"PORTAL_TIMEZONE is not a known time zone: {values['TIMEZONE']!r}")
    trusted_proxies(values["TRUSTED_PROXIES"])
    if values["MAX_UPLOAD_MB"] <= 0 or values["MAX_TICKET_UPLOAD_MB"] <= 0:
        raise ConfigError("upload limits must be positive")
    if values["MAIL_MAX_ATTEMPTS"] <= 0:
        raise ConfigError("PORTAL_MAIL_MAX_ATTEMPTS must be positive")
    if not 1 <= values["SLA_AT_RISK_PERCENT"] <= 99:
        raise ConfigError("PORTAL_SLA_AT_RISK_PERCENT must be between 1 and 99")
    if values["SEARCH_LOG_DAYS"] <= 0:
        raise ConfigError("PORTAL_SEARCH_LOG_DAYS must be positive")


def _instance_secret(path: Path) -> str:
    """Read the generated secret key, creating it (mode 0600) on first use."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process wrote it first: use theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
