"""Response headers, the CSP, the session cookie, the reverse proxies we believe, and the
check that keeps redirects on our own site."""

from __future__ import annotations

import ipaddress
import time
from urllib.parse import unquote, urlsplit

from flask import current_app, g, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.config import trusted_proxies

# Images only from here (attachments, our static files) and inline data: user text
# cannot embed a remote image, so no stranger learns who read what, or when.
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
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


HSTS = "max-age=31536000; includeSubDomains"


def _set_headers(response):
    add_headers(response.headers, current_app.config,
                bool(current_user and current_user.is_authenticated))
    return response


def add_headers(headers, config, signed_in: bool) -> None:
    """Every response's security headers (``signed_in``: a page of a signed-in reader)."""
    # A download sets its own stricter CSP; everything else gets the site's.
    headers.setdefault("Content-Security-Policy", CSP)
    if "X-Content-Type-Options" in headers:
        del headers["X-Content-Type-Options"]
    headers.extend(STATIC_HEADERS)
    # Decided by the configured address, not by this request: behind a proxy that
    # terminates TLS the request itself arrives as plain http.
    if config["BASE_URL"].startswith("https://"):
        headers["Strict-Transport-Security"] = HSTS
    if signed_in:
        # A signed-in page must not come back from the cache after sign-out.
        headers["Cache-Control"] = "no-store"
        headers.add("Vary", "Cookie")


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its signer built once per key, and each
    cookie's contents read once per worker.

    Flask builds a new serializer on every request, even one without a cookie; that was
    a visible share of a live-search keystroke. The keys are part of the cache key, so
    rotating ``SECRET_KEY`` still takes effect at once.

    A browser sends the same cookie with every request until its session changes, and
    checking its signature and decoding it cost more than a cached page. A cookie's
    value decides its contents (for the same keys), so what it held is kept, by the
    exact value, and every request gets its own copy; its age is still checked against
    the session lifetime on each use, as the signature check does. A cookie that fails
    the check is never kept.
    """

    def __init__(self) -> None:
        self._signer: tuple[tuple, object] | None = None
        self._opened: dict[str, tuple] = {}  # cookie value → (serializer, signed at, data)

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        kept = self._opened.get(value)
        if kept is not None and kept[0] is serializer and 0 <= time.time() - kept[1] <= max_age:
            return self.session_class(_copied(kept[2]))
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if len(self._opened) >= MAX_KEPT_SESSIONS:
            self._opened.clear()
        self._opened[value] = (serializer, int(signed_at.timestamp()), _copied(data))
        return self.session_class(data)

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = self._signer
        if cached is None or cached[0] != keys:
            cached = self._signer = (keys, super().get_signing_serializer(app))
        return cached[1]


def csrf_token() -> str:
    """The request's CSRF token: what Flask-WTF's ``generate_csrf`` gives, for less.

    The token is the session's random value signed with the app's key. Flask-WTF builds
    a serializer and signs it anew on every request (a tenth of a cached page's time).
    Here the signed form is kept per worker for each session value (see
    :func:`signed_csrf`). A session without a value yet, and any setup where that is
    not right, goes to Flask-WTF itself. The token stays per session and is verified on
    POST as before.
    """
    found = g.get("csrf_token")
    if found is not None:
        return found
    token = signed_csrf(current_app, session.get("csrf_token"))
    if token is None:
        return generate_csrf()
    g.csrf_token = token  # where Flask-WTF looks first: its forms show the same token
    return token


def signed_csrf(app, raw) -> str | None:
    """The signed CSRF token of a session whose random value is ``raw``, as Flask-WTF
    signs it; ``None`` when it must be left to Flask-WTF (no value yet, or a setup
    other than ours).

    Kept per worker for each value, which is only right while tokens do not expire
    (``WTF_CSRF_TIME_LIMIT`` None, our setting): a token signed a minute ago then checks
    exactly as one signed now. The memo is keyed by the session's own secret value, so
    no session can be handed another's token.
    """
    config = app.config
    if (not isinstance(raw, str) or config.get("WTF_CSRF_TIME_LIMIT", 3600) is not None
            or config.get("WTF_CSRF_SECRET_KEY") or config.get("WTF_CSRF_FIELD_NAME",
                                                                "csrf_token") != "csrf_token"):
        return None
    memo = app.extensions.setdefault("csrf_tokens", {})
    key = (app.secret_key, raw)
    token = memo.get(key)
    if token is None:
        if len(memo) >= MAX_KEPT_TOKENS:
            memo.clear()
        token = memo[key] = URLSafeTimedSerializer(
            app.secret_key, salt="wtf-csrf-token").dumps(raw)
    return token


MAX_KEPT_TOKENS = 5_000  # per worker; ~250 bytes each
MAX_KEPT_SESSIONS = 5_000  # per worker; a cookie and its few values, ~1 KB each


def _copied(value):
    """A copy of a session's value that shares nothing mutable with the original."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_copied(item) for item in value)
    return value


class ListedProxies:
    """Believe ``X-Forwarded-*`` only from a connection that comes from a listed proxy.

    A chain of listed proxies is followed from the right of ``X-Forwarded-For`` to the
    first address that is not one of them: that is the client. A request from anywhere
    else keeps its connecting address, whatever headers it sends.
    """

    def __init__(self, app, networks) -> None:
        self.app = app
        self.networks = tuple(networks)
        self._fixes: dict[int, ProxyFix] = {}

    def _listed(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.strip())
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def __call__(self, environ, start_response):
        if not self._listed(environ.get("REMOTE_ADDR", "")):
            return self.app(environ, start_response)
        hops = 1
        forwarded = [a for a in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        while hops < min(len(forwarded), 10) and self._listed(forwarded[-hops]):
            hops += 1
        fix = self._fixes.get(hops)
        if fix is None:
            fix = self._fixes[hops] = ProxyFix(self.app, x_for=hops, x_proto=1, x_host=1)
        return fix(environ, start_response)


def _behind_proxies(wsgi_app, setting):
    """The WSGI app wrapped for ``PORTAL_TRUSTED_PROXIES`` (unwrapped when it is empty)."""
    trusted = trusted_proxies(setting)
    if not trusted:
        return wsgi_app
    if isinstance(trusted, int):
        return ProxyFix(wsgi_app, x_for=trusted, x_proto=trusted, x_host=trusted)
    return ListedProxies(wsgi_app, trusted)


class _Early:
    """Flask's WSGI app, after the answers an area can give without it (see
    :func:`serve_early`), which see the request as the proxies' fix left it."""

    def __init__(self, wsgi_app, handlers: list) -> None:
        self.wsgi_app = wsgi_app
        self.handlers = handlers

    def __call__(self, environ, start_response):
        for handler in self.handlers:
            try:
                response = handler(environ)
            except Exception:
                # Flask meets the same fault (a database gone away) and answers it as
                # it answers every error: its page, its log line.
                response = None
            if response is not None:
                return response(environ, start_response)
        return self.wsgi_app(environ, start_response)


def early_session(app, environ):
    """For an early answer to a signed-in reader: the request, its session and the
    session's signed CSRF token, when the request is a plain page view (GET, no htmx)
    whose session names a reader and holds nothing for this visit alone (no message
    waiting, no "remember me" to act on); ``None`` otherwise, which Flask then handles.
    Flask-Login keeps the signed-in user's id in the session; with session protection
    off (ours) it only asks the user loader, as the caller then does."""
    if (environ.get("REQUEST_METHOD") != "GET" or "HTTP_HX_REQUEST" in environ
            or app.config.get("LOGIN_DISABLED")
            or app.config.get("SESSION_PROTECTION", app.login_manager.session_protection)):
        return None
    request = app.request_class(environ)
    session = app.session_interface.open_session(app, request)
    if (session is None or session.permanent or "_flashes" in session
            or "_remember" in session or not session.get("_user_id")):
        return None
    token = signed_csrf(app, session.get("csrf_token"))
    if token is None:
        return None
    return request, session, token


def serve_early(app, handler) -> None:
    """Let ``handler(environ)`` answer a request before Flask does (a response object),
    or pass it on (``None``). For answers kept ready whose whole work is a lookup, where
    Flask's request handling would cost more than the answer itself. A handler answers
    only what it is sure of, with the same response Flask would give."""
    app.extensions["early_handlers"].append(handler)


def init_app(app) -> None:
    app.session_interface = SessionInterface()
    app.after_request(_set_headers)
    handlers = app.extensions.setdefault("early_handlers", [])
    app.wsgi_app = _behind_proxies(_Early(app.wsgi_app, handlers),
                                   app.config["TRUSTED_PROXIES"])
