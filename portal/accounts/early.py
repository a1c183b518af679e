"""The signed-in reader of a request answered before Flask (see
:func:`portal.security.serve_early`): the same sign-in check Flask's would make, for the
areas that keep whole pages per reader (the request form, the staff pages)."""

from __future__ import annotations

from collections.abc import Callable

from portal.accounts.models import User
from portal.accounts.services import user_for_session
from portal.db import ensure_connection, finish_request
from portal.i18n import reader_locale, reader_zone
from portal.security import early_session


def reader_key(app, environ, accept: Callable[[User], bool],
               key: Callable[[User, object, str, str], tuple | None]) -> tuple | None:
    """``(key, token)`` for a plain page view by a signed-in reader whom ``accept``
    takes: ``key(user, request, locale, zone)`` (which may read the database) and the
    session's CSRF token; ``None`` for anything else, which Flask then handles."""
    opened = early_session(app, environ)
    if opened is None:
        return None
    request, session, token = opened
    try:
        ensure_connection()
        user = user_for_session(session["_user_id"])
        if user is None or not user.is_authenticated or not accept(user):
            return None
        found = key(user, request, reader_locale(user, request, app.config["DEFAULT_LOCALE"]),
                    reader_zone(user, app.config["TIMEZONE"]))
    finally:
        finish_request()
    return None if found is None else (found, token)
