"""Response headers, the CSP, the session cookie, and the check that keeps redirects on
our own site."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' https: http: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else ``None``.

    Refuses anything a browser could read as another origin: ``//evil``, ``/\\evil``,
    ``https:evil``, ``javascript:``, control characters, and the same hidden behind
    percent-encoding (decoded repeatedly before checking).
    """
    if not target:
        return None
    decoded = target
    for _ in range(3):
        decoded = unquote(decoded)
    for candidate in (target, decoded):
        if not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
            return None
        if "\\" in candidate or any(ord(ch) < 32 or ord(ch) == 127 for ch in candidate):
            return None
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return None
    return target


STATIC_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
]


def _set_headers(response):
    headers = response.headers
    # A download sets its own stricter CSP; everything else gets the site's.
    headers.setdefault("Content-Security-Policy", CSP)
    if "X-Content-Type-Options" in headers:
        del headers["X-Content-Type-Options"]
    headers.extend(STATIC_HEADERS)
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if current_user and current_user.is_authenticated:
        # A signed-in page must not come back from the cache after sign-out.
        headers["Cache-Control"] = "no-store"
        headers.add("Vary", "Cookie")
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its signer built once per key.

    Flask builds a new serializer on every request, even one without a cookie; that was
    a visible share of a live-search keystroke. The keys are part of the cache key, so
    rotating ``SECRET_KEY`` still takes effect at once.
    """

    def __init__(self) -> None:
        self._signer: tuple[tuple, object] | None = None

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = self._signer
        if cached is None or cached[0] != keys:
            cached = self._signer = (keys, super().get_signing_serializer(app))
        return cached[1]


def init_app(app) -> None:
    app.session_interface = SessionInterface()
    app.after_request(_set_headers)
