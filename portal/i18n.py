"""Locale and time-zone selection, and the language switch.

The locale comes from the signed-in user's setting, else the browser's remembered
choice (a cookie), else ``Accept-Language``, else the configured default. Times are
stored in UTC and shown in the user's zone (the configured zone for visitors).
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask import current_app, request
from flask_babel import Babel
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from portal import clock
from portal.config import LOCALES

LOCALE_COOKIE = "locale"
babel = Babel()
# Parsed once: Babel's Locale() looks on disk each time it is built.
_PARSED = {code: Locale.parse(code) for code in LOCALES}


def select_locale() -> Locale:
    return _PARSED[_locale_code()]


def _locale_code() -> str:
    return reader_locale(current_user._get_current_object(), request,
                         current_app.config["DEFAULT_LOCALE"])


def reader_locale(user, request, default: str) -> str:
    """The locale of ``request``'s reader (``user``: signed in, or anonymous or None)."""
    if user and user.is_authenticated and user.locale in LOCALES:
        return user.locale
    return visitor_locale(request.cookies, request.headers.get("Accept-Language", ""),
                          default)


def visitor_locale(cookies, accept_language: str, default: str) -> str:
    """The locale of a reader who is not signed in: the remembered choice, else the
    browser's preference, else ``default``."""
    remembered = cookies.get(LOCALE_COOKIE)
    if remembered in LOCALES:
        return remembered
    return _best_match(accept_language) or default


@lru_cache(maxsize=512)
def _best_match(header: str) -> str | None:
    """The supported locale a browser's Accept-Language prefers (parsed once per header;
    live search asks on every keystroke and browsers send the same few headers)."""
    return parse_accept_header(header, LanguageAccept).best_match(LOCALES)


def select_timezone() -> str:
    return reader_zone(current_user._get_current_object(), current_app.config["TIMEZONE"])


def reader_zone(user, default: str) -> str:
    """The time zone of a reader (``user`` as for :func:`reader_locale`)."""
    if user and user.is_authenticated:
        return clock.zone_or(user.timezone, default)
    return default


def init_app(app) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
