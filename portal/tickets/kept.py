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
page's address and the language and zone.
"""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from portal.accounts.models import User
from portal.fragments import Kept, hole, kept, whole_page
from portal.templating import current_locale
from portal.tickets import sla_clock
from portal.tickets.models import Ticket
from portal.tickets.thread import show_context

MAX_PAGES = 2_000  # ~15 KB each with five messages
MAX_WHOLE_PAGES = 1_000  # ~25 KB each
MAX_FACTS = 5_000


def page(ticket: Ticket, viewer: User, version: int | None, ref: str) -> str:
    """The whole staff ticket page, kept under ``version`` (read before ``ticket``) and
    everything else it shows; this request's CSRF token filled in."""
    shown = _shown(ticket, version)
    key = (version, ticket.id, viewer.id, request.script_root, _shown_key(shown))

    def render(once: dict) -> str:
        body = _content(ticket, viewer, version, shown)
        if "csrf_token" not in once:
            body = Kept.fill(body, csrf=generate_csrf())
        return render_template("tickets/show.html", ticket=ticket, ref=ref,
                               body=Markup(body), _once=once)  # noqa: S704  (rendered by autoescaping templates)

    return whole_page("ticket_whole_pages", MAX_WHOLE_PAGES, key, render)


def _shown(ticket: Ticket, version: int | None) -> list:
    """The SLA section's states now, from the ticket's facts kept under ``version``."""
    store: Kept = kept(current_app, "ticket_sla_facts", MAX_FACTS)
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
