"""The queue's rows, each rendered once for what it shows, then kept (per worker).

A queue page shows fifty rows and every open queue refreshes them every five seconds;
most rows show what they showed last time. What a row shows comes only from:

- its ticket's columns, as the queue's query selected them (``services.ROW_FIELDS`` and
  the joined names): the same for every member of staff, who all see every ticket;
- the reader's language and time zone, and whether the reader is staff (status names);
- its age and its next due time (state, risk, countdown), worked out now for this page;
- the ticket page's address and the ticket-number prefix of this app.

A rendered row is kept under a key made of exactly those values, so a row is served
again only when everything it shows is the same; a ticket that changed, another
language or zone, or a countdown that moved on is another key, rendered afresh. No
person's data can pass to another through it: the key holds all the row shows, and
staff see the same queue. Kept per app (its templates and translations), at most
:data:`MAX_ROWS` per worker; past that the oldest half is dropped.
"""

from __future__ import annotations

import threading
from itertools import islice

from flask import current_app
from jinja2 import pass_context
from markupsafe import Markup

from portal import clock
from portal.templating import context_locale, duration_in, short_age
from portal.tickets.numbering import format_number
from portal.tickets.sla_clock import next_due
from portal.tickets.templating import ticket_href

MAX_ROWS = 5_000  # ~1.5 KB each
TEMPLATE = "staff/_row.html"
_lock = threading.Lock()


@pass_context
def queue_rows(context, items) -> Markup:
    """The rows of ``items`` (the queue's page), each as ``staff/_row.html`` renders it."""
    kept: dict = current_app.extensions.setdefault("queue_rows", {})
    locale = context_locale(context)
    zone = context.get("_zone")
    user = context.get("current_user")
    href_of = ticket_href()
    page = (locale, str(zone), bool(user and user.is_authenticated and user.is_staff),
            href_of(0), format_number(0))
    now = clock.now()
    out = []
    for t in items:
        due = next_due(t, now)
        age = short_age((now - t.created_at).total_seconds(), locale) if t.created_at else ""
        shown = None if due is None else (due.name, due.state, due.at_risk, due.due,
                                          duration_in(context, due.seconds))
        key = (page, tuple(vars(t).items()), age, shown)
        html = kept.get(key)
        if html is None:
            template = context.environment.get_template(TEMPLATE)
            row = template.render({**context.get_all(), "t": t, "due": due, "age_text": age,
                                   "href_of": href_of})
            # Each row as the loop that rendered them in place wrote it: between newlines.
            html = f"\n\n{row}\n"
            _keep(kept, key, html)
        out.append(html)
    return Markup("".join(out))  # noqa: S704  (rows an autoescaping template rendered)


def _keep(kept: dict, key: tuple, html: str) -> None:
    with _lock:
        if len(kept) >= MAX_ROWS:
            for old in list(islice(kept, len(kept) // 2)):
                kept.pop(old, None)
        kept[key] = html
