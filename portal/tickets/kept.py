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
"""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from portal.accounts.models import User
from portal.fragments import Kept, hole, kept
from portal.templating import current_locale
from portal.tickets import sla_clock
from portal.tickets.models import Ticket
from portal.tickets.thread import show_context

MAX_PAGES = 2_000  # ~15 KB each with five messages


def content(ticket: Ticket, viewer: User, version: int | None) -> Markup:
    """The ticket page's content for a member of staff, kept under ``version`` (read
    before ``ticket``) and everything else it shows."""
    from flask_babel import get_timezone

    shown = sla_clock.shown(ticket, True)
    key = (version, ticket.id, viewer.id, current_locale(), str(get_timezone()),
           request.script_root,
           tuple((s.name, s.state, s.at_risk, s.due, s.met_at, s.seconds < 0,
                  abs(s.seconds) // 60, s.cover) for s in shown))
    store: Kept = kept(current_app, "ticket_pages", MAX_PAGES)
    html = store.get(key)
    if html is None:
        context = show_context(ticket, viewer)
        context["sla"] = shown
        html = render_template("tickets/_page.html", ticket=ticket,
                               _once={"csrf_token": hole("csrf")}, **context)
        store.keep(key, html)
    return Kept.fill(html, csrf=generate_csrf())
