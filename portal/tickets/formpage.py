"""The blank new-request form, kept per worker for each reader and everything it shows.

A customer opens the form often, and it costs several queries and a long template
(every type's outline, every colleague, every product) while almost nothing on it
changes between visits. So a blank form (``GET /tickets/new`` with no query, no message
waiting to be shown) is kept once rendered, with placeholders where the CSRF token and
the one-time submission token were, and later visits get a copy with their own tokens
put in (both made per request, as on a form rendered afresh).

A copy is found by a key made of everything the page shows: the reader (who they are,
their role, name, address, language and zone — so a copy is only ever served to the
person it was made for), the address it was asked at, and the rows the form lists
(ticket types of their plan with their outlines, products, environments, colleagues,
the plan's trial severity), read by one statement on every visit. Any change to any of
them makes another key, so a copy is never out of date and needs no invalidation.

Once kept, a visit whose session names its reader and holds nothing else for this visit
is answered before Flask handles the request (:func:`early`), with the same sign-in
check, key, tokens and headers: ``no-store``, like every signed-in page.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from flask import current_app, make_response, request, session

from portal.accounts.early import reader_key
from portal.accounts.models import User
from portal.db import execute_planned
from portal.i18n import select_timezone
from portal.security import add_headers, csrf_token, serve_early
from portal.templating import current_locale

MAX_PAGES = 300  # per worker (~15 KB each); past that the oldest half is dropped
_CSRF, _SUBMISSION = b"\x00csrf\x00", b"\x00submission\x00"  # pages kept as bytes sent

# Every row the blank form shows for a customer of an organization, with every column
# it shows of them (column 1 names the list). In the order the database reads them: the
# same rows in another order only make another key (sorting them cost as much as the
# rest of the statement).
_SHOWN = """
SELECT 't', CAST(t.id AS TEXT), t.code, t.name_ja, t.name_en, t.template_ja, t.template_en,
       t.asks, CAST(t.position AS TEXT)
  FROM ticket_type t JOIN plan_ticket_type pt ON pt.ticket_type_id = t.id
 WHERE t.active = ? AND pt.plan_id = ?
UNION ALL
SELECT 'p', CAST(id AS TEXT), code, name_ja, name_en, versions, NULL, NULL, NULL
  FROM product WHERE active = ?
UNION ALL
SELECT 'e', CAST(id AS TEXT), name, NULL, NULL, NULL, NULL, NULL, NULL
  FROM environment WHERE organization_id = ?
UNION ALL
SELECT 'c', CAST(id AS TEXT), name, email, NULL, NULL, NULL, NULL, NULL
  FROM user WHERE organization_id = ? AND active = ? AND id <> ?
UNION ALL
SELECT 's', CAST(id AS TEXT), CAST(default_severity AS TEXT), NULL, NULL, NULL, NULL, NULL,
       NULL
  FROM plan WHERE id = ?
"""


def _keepable(user: User) -> bool:
    """A blank form of a customer in an organization, and nothing for this visit alone."""
    return (not request.args and not request.htmx and "_flashes" not in session
            and _keepable_for(user))


def _keepable_for(user: User) -> bool:
    return not user.is_staff and user.organization_id is not None


def _key(user: User, request, locale: str, zone: str) -> tuple:
    org = user.organization
    shown = execute_planned(_SHOWN, (True, org.plan_id, True, org.id, org.id, True, user.id,
                                 org.plan_id)).fetchall()
    return (request.host, request.script_root, request.path, locale, zone, user.id,
            user.email, user.name, user.role, user.org_role, user.locale, user.timezone,
            user.active, org.id, org.active, org.trial, org.plan_id, tuple(map(tuple, shown)))


def _flask_key(user: User) -> tuple:
    return _key(user, request, current_locale(), select_timezone())


def blank_form(user: User, render: Callable[[str], tuple]):
    """The blank form for ``user``: a kept copy with this visit's tokens, else
    ``render(submission)`` (the page and its status), kept when it may be."""
    submission = secrets.token_urlsafe(16)
    if not _keepable(user):
        return render(submission)
    key = _flask_key(user)
    pages = current_app.extensions.setdefault("ticket_form_pages", {})
    token = csrf_token()
    kept = pages.get(key)
    if kept is not None:
        _answerable(request.environ)
        return make_response(_filled(kept, token, submission))
    response = make_response(render(submission))
    # Kept only when nothing it shows changed while it was made (the same key after).
    if (response.status_code == 200 and response.mimetype == "text/html"
            and _flask_key(user) == key):
        html = response.get_data()
        if html.count(submission.encode()) <= 1:
            if len(pages) >= MAX_PAGES:
                for old in list(pages)[:MAX_PAGES // 2]:
                    pages.pop(old, None)
            pages[key] = html.replace(token.encode(), _CSRF).replace(submission.encode(),
                                                                      _SUBMISSION)
            _answerable(request.environ)
    return response


def _filled(kept: bytes, token: str, submission: str) -> bytes:
    return kept.replace(_CSRF, token.encode()).replace(_SUBMISSION, submission.encode())


def _answerable(environ) -> None:
    """Note the request's path as one :func:`early` may find a copy for."""
    paths = current_app.extensions.setdefault("ticket_form_paths", set())
    if len(paths) >= 100:
        paths.clear()
    paths.add(environ.get("PATH_INFO"))


def early(app):
    """A handler for :func:`portal.security.serve_early`: the kept blank form for its
    signed-in reader, as the view would answer (the same sign-in check and user, the
    same key, tokens and headers); ``None`` for anything less certain, which Flask then
    handles (see :func:`portal.security.early_session`)."""

    def answer(environ):
        if environ.get("PATH_INFO") not in app.extensions.get("ticket_form_paths", ()):
            return None
        pages = app.extensions.get("ticket_form_pages")
        if not pages or environ.get("QUERY_STRING"):
            return None
        found = reader_key(app, environ, _keepable_for, _key)
        if found is None:
            return None
        key, token = found
        kept = pages.get(key)
        if kept is None:
            return None
        response = app.response_class(_filled(kept, token, secrets.token_urlsafe(16)),
                                      mimetype="text/html")
        add_headers(response.headers, app.config, signed_in=True)
        response.vary.add("Cookie")  # as Flask marks a response whose session was read
        return response

    return answer


def init_app(app) -> None:
    """Answer a kept blank form before Flask when that is certain."""
    serve_early(app, early(app))
