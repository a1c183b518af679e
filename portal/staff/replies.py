"""Canned replies and article links for the reply box. No Flask here.

A canned reply is text for the agent to edit, never a message by itself: it is only ever
put into the reply box. Its placeholders are filled from the ticket; a placeholder that
names nothing is left as typed (and flagged in the preview), never replaced by nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markupsafe import Markup

from portal import clock, settings
from portal.accounts.models import User
from portal.db import transaction
from portal.errors import N_, NotFound, ServiceError
from portal.kb.models import LANGUAGES, Article
from portal.staff.models import CannedReply
from portal.tickets.models import Ticket
from portal.tickets.numbering import format_number

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
PLACEHOLDERS = ("requester_name", "ticket_number", "agent_name", "organization")
MAX_TITLE = 200
MAX_BODY = 20_000


@dataclass
class ReplyInput:
    """The canned-reply form as typed."""

    title: str = ""
    language: str = "ja"
    body: str = ""
    shared: bool = False
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class Filled:
    text: str
    unknown: list[str]  # placeholder names left as typed


def fill(body: str, ticket: Ticket, agent: User) -> Filled:
    """The reply with its placeholders filled in for this ticket and agent."""
    values = {"requester_name": ticket.requester.name, "ticket_number": format_number(
        ticket.number), "agent_name": agent.name, "organization": ticket.organization.name}
    unknown: list[str] = []

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        if name not in unknown:
            unknown.append(name)
        return match.group(0)

    return Filled(PLACEHOLDER.sub(replace, body), unknown)


def flag_unknown(html: str, unknown: list[str]) -> Markup:
    """Sanitized preview HTML with each unknown placeholder marked (names are [\\w]+ only)."""
    for name in unknown:
        token = "{" + name + "}"
        html = html.replace(token, f'<mark class="placeholder-unknown">{token}</mark>')
    return Markup(html)  # noqa: S704 -- html came out of render_markdown; names are \w+


def visible(user: User):
    return CannedReply.select().where(CannedReply.owner.is_null() | (CannedReply.owner == user.id))


def search(user: User, q: str, language: str, limit: int = 20) -> list[CannedReply]:
    """Shared and own replies whose title holds ``q``, the customer's language first."""
    query = visible(user)
    if (q or "").strip():
        query = query.where(CannedReply.title.contains(q.strip()))
    return list(query.order_by(CannedReply.language != language, CannedReply.title)
                .limit(limit))


def get(user: User, reply_id: int) -> CannedReply:
    found = visible(user).where(CannedReply.id == reply_id).first()
    if found is None:
        raise NotFound(N_("There is no such canned reply."))
    return found


def save(user: User, data: ReplyInput, reply_id: int | None = None) -> CannedReply:
    """Create or update a canned reply (someone else's personal reply does not exist)."""
    data.title, data.body = data.title.strip(), data.body.strip()
    if not data.title:
        data.errors["title"] = N_("Give the reply a title.")
    elif len(data.title) > MAX_TITLE:
        data.errors["title"] = N_("The title is too long (200 characters at most).")
    if data.language not in LANGUAGES:
        data.errors["language"] = N_("Choose Japanese or English.")
    if not data.body:
        data.errors["body"] = N_("Write the reply.")
    elif len(data.body) > MAX_BODY:
        data.errors["body"] = N_("The reply is too long (20,000 characters at most).")
    if data.errors:
        raise ServiceError(N_("Please correct the marked fields."))
    with transaction():
        reply = get(user, reply_id) if reply_id else CannedReply(created_at=clock.now())
        reply.title, reply.language, reply.body = data.title, data.language, data.body
        reply.owner = None if data.shared else user.id
        reply.updated_at = clock.now()
        reply.save()
    return reply


def delete(user: User, reply_id: int) -> None:
    with transaction():
        get(user, reply_id).delete_instance()


def translation(article_slug: str, language: str) -> Article | None:
    """The published article, or its version in ``language`` when one exists.

    Versions of one article share a slug, the English one ending in ``-en`` (the
    convention of the shipped articles).
    """
    article = Article.get_or_none((Article.slug == article_slug)
                                  & (Article.status == "published"))
    if article is None or article.language == language:
        return article
    base = article_slug[:-3] if article_slug.endswith("-en") else article_slug
    sibling = base + "-en" if language == "en" else base
    return Article.get_or_none((Article.slug == sibling) & (Article.status == "published")
                               & (Article.language == language)) or article


def article_link(article: Article) -> str:
    """A Markdown link to the article as customers open it (also from their mail)."""
    base = settings.get("BASE_URL", "").rstrip("/")
    title = article.title.replace("[", "(").replace("]", ")")
    return f"[{title}]({base}/kb/{article.slug})"
