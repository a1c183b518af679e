"""The staff ticket page's content, kept rendered per worker (see ``portal.fragments``).

What the content shows comes only from:

- the database: the ticket with its people, type, organization and plan, its thread
  and files, who is in copy, the vote, the staff list and the types for the controls,
  the customer panel's tickets and environments — every table of them moves the data
  version (migration m0018) in the transaction that writes it;
- the reader: who they are (their id; their row is in the data version too), their
  language and zone; only staff get kept content, so notes and staff controls are
  never kept for a customer;
- the SLA section's states and countdowns, worked out now: the key holds them as
  shown (to the minute), so a moved countdown renders afresh;
- the request's CSRF token, left as a hole and filled for each page;
- the app's address (its script root) for the links.

The version is read before the ticket, so nothing older than it is kept under it.
The SLA section's facts (the ticket's targets, from its plan's policies and calendars,
and its pauses) are kept under the version too; only the states are worked out anew.

The whole page, the layout around the content included, is kept the same way
(:func:`page`): the layout shows the reader (in the key, and in the data version), the
page's address and the language and zone. Once kept, it is answered before Flask
(:func:`early`) after the same sign-in check, the same data version and the same
access check (``get_ticket``) on every request.
"""

from __future__ import annotations

import re

from flask import current_app, render_template, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from portal.accounts.early import reader_key
from portal.accounts.models import User
from portal.errors import NotFound
from portal.fragments import Kept, data_version, early_page, hole, kept, page_key, whole_page
from portal.security import serve_early
from portal.templating import current_locale
from portal.tickets import policy, sla_clock
from portal.tickets.listing import get_ticket
from portal.tickets.models import Ticket
from portal.tickets.thread import show_context

MAX_PAGES = 2_000  # ~15 KB each with five messages
MAX_WHOLE_PAGES = 1_000  # ~25 KB each
MAX_FACTS = 5_000  # a ticket's SLA targets and pauses, well under 1 KB
MAX_ROWS = 1_000  # a ticket's row and its five joined rows, a few KB
_PATH = re.compile(r"/tickets/([0-9]{1,12})")


def page(ticket: Ticket, viewer: User, version: int | None, ref: str) -> str:
    """The whole staff ticket page, kept under ``version`` (read before ``ticket``) and
    everything else it shows; this request's CSRF token filled in."""
    shown = _shown(current_app, ticket, version)
    key = _key(ticket, viewer, version, request.script_root, shown)

    def render(once: dict) -> str:
        body = _content(ticket, viewer, version, shown)
        if "csrf_token" not in once:
            body = Kept.fill(body, csrf=generate_csrf())
        return render_template("tickets/show.html", ticket=ticket, ref=ref,
                               body=Markup(body), _once=once)  # noqa: S704  (rendered by autoescaping templates)

    return whole_page("ticket_whole_pages", MAX_WHOLE_PAGES, key, render)


def early(app):
    """A handler for :func:`portal.security.serve_early`: a kept staff ticket page for
    its signed-in reader, as the view would answer it (the same sign-in check and user,
    data version, access check, key, token and headers); ``None`` for anything else,
    which Flask then handles (a ticket not to be seen, a number to redirect, ...)."""

    def answer(environ):
        found = _PATH.fullmatch(environ.get("PATH_INFO", ""))
        if (found is None or environ.get("QUERY_STRING")
                or not app.extensions.get("kept:ticket_whole_pages")):
            return None

        def key(user, request, locale, zone):
            version = data_version()  # before the ticket, as in the view
            ticket = _ticket(app, user, found.group(1), version)
            if ticket is None or found.group(1) != str(ticket.number):
                return None  # not to be seen, or a number to redirect: Flask answers
            return page_key(_key(ticket, user, version, request.script_root,
                                 _shown(app, ticket, version)), request, locale, zone)

        kept_key = reader_key(app, environ, lambda user: user.is_staff, key)
        return None if kept_key is None else early_page(app, "ticket_whole_pages", *kept_key)

    return answer


def _ticket(app, user: User, ref: str, version: int | None) -> Ticket | None:
    """The ticket ``ref`` names if ``user`` may see it, else None: ``get_ticket``, with
    the ticket's row (and its joined rows) kept under ``version``, which every write to
    them moves; the access check itself is made on every call."""
    store: Kept = kept(app, "ticket_rows", MAX_ROWS)
    ticket = store.get((version, ref))
    if ticket is not None:
        return ticket if policy.can_view_ticket(user, ticket) else None
    try:
        ticket = get_ticket(user, ref)
    except NotFound:
        return None
    store.keep((version, ref), ticket)
    return ticket


def init_app(app) -> None:
    """Answer a kept staff ticket page before Flask when that is certain."""
    serve_early(app, early(app))


def _key(ticket: Ticket, viewer: User, version: int | None, script_root: str,
         shown: list) -> tuple:
    return (version, ticket.id, viewer.id, script_root, _shown_key(shown))


def _shown(app, ticket: Ticket, version: int | None) -> list:
    """The SLA section's states now, from the ticket's facts kept under ``version``."""
    store: Kept = kept(app, "ticket_sla_facts", MAX_FACTS)
    key = (version, ticket.id)
    known = store.get(key)
    if known is None:
        known = sla_clock.facts(ticket)
        store.keep(key, known)
    return sla_clock.shown(ticket, True, known=known)


def _shown_key(shown: list) -> tuple:
    return tuple((s.name, s.state, s.at_risk, s.due, s.met_at, s.seconds < 0,
                  abs(s.seconds) // 60, s.cover) for s in shown)


def _content(ticket: Ticket, viewer: User, version: int | None, shown: list) -> str:
    """The content with the hole of the CSRF token."""
    from flask_babel import get_timezone

    key = (version, ticket.id, viewer.id, current_locale(), str(get_timezone()),
           request.script_root, _shown_key(shown))
    store: Kept = kept(current_app, "ticket_pages", MAX_PAGES)
    html = store.get(key)
    if html is None:
        context = show_context(ticket, viewer)
        context["sla"] = shown
        html = render_template("tickets/_page.html", ticket=ticket,
                               _once={"csrf_token": hole("csrf")}, **context)
        store.keep(key, html)
    return html
