"""Listeners that keep the dashboard's stored figures as tickets change.

They run inside the transaction of the change (see portal.tickets.events), so a count
is never kept for a change that was rolled back.
"""

from __future__ import annotations

import re

from portal import counters
from portal.kb.models import Article
from portal.tickets import events

# A link to an article as the reply box inserts it (absolute or relative).
ARTICLE_LINK = re.compile(r"/kb/([a-z0-9][a-z0-9\-]*)")


def _filed(ticket, **_) -> None:
    counters.bump("created")


def _status(ticket, old: str, new: str, **_) -> None:
    if new == "resolved":
        counters.bump("solved")


def _posted(ticket, message, **_) -> None:
    """Count each article linked in a public staff reply, once per reply."""
    if message.kind != "reply" or not message.author_id or not message.author.is_staff:
        return
    slugs = set(ARTICLE_LINK.findall(message.body))
    if slugs:
        Article.update(links=Article.links + 1).where(Article.slug.in_(sorted(slugs))).execute()


def connect() -> None:
    events.ticket_filed.connect(_filed)
    events.status_changed.connect(_status)
    events.message_posted.connect(_posted)
