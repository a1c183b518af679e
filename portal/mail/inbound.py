"""Mail that comes in: a reply to a ticket by someone allowed to reply.

Threat: anyone can send mail claiming any From address and any ticket number. A message
is only attached when its sender is a user who may take part in that ticket (the
requester, someone in copy, an org admin of that organization, or staff); everything
else is refused and logged, never shown. The body goes through the same door as web
replies (``render_markdown``), attachments through the same checks and limits.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from html.parser import HTMLParser

from portal.accounts.models import User
from portal.accounts.services import normalize_email
from portal.db import transaction
from portal.errors import N_, ServiceError
from portal.mail import notify
from portal.mail.models import InboundLog, Outbox
from portal.tickets import lifecycle, uploads
from portal.tickets import policy as access
from portal.tickets.models import Participant, Ticket

_OUR_THREAD = re.compile(r"<ticket-(\d+)@")
# Lines that start the quoted history in the usual mail clients, English and Japanese.
_QUOTE_START = re.compile(
    r"^(On .{3,200} wrote:\s*$|.{0,200}(wrote|a écrit|schrieb):\s*$|-+\s*Original Message\s*-+"
    r"|-+\s*元のメッセージ\s*-+|From:\s|差出人:\s|送信者:\s|\d{4}年\d{1,2}月\d{1,2}日.{0,120}:\s*$"
    r"|.{0,120}<[^>@\s]+@[^>\s]+>\s*:\s*$)")
_CHARSET_ALIASES = {"shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932",
                    "x-sjis": "cp932", "iso-2022-jp": "iso2022_jp_ext"}


@dataclass
class Outcome:
    outcome: str  # appended | rejected | answered | ignored
    detail: str
    ticket: Ticket | None = None


class _Text(HTMLParser):
    """HTML mail as plain text: block elements become line breaks, scripts vanish."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "blockquote", "pre"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)

    def text(self) -> str:
        lines = [line.strip() for line in "".join(self.parts).splitlines()]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser.text()


def _decoded(part: EmailMessage) -> str:
    payload = part.get_payload(decode=True) or b""
    charset = (part.get_content_charset() or "utf-8").lower()
    charset = _CHARSET_ALIASES.get(charset, charset)
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def body_text(message: EmailMessage) -> str:
    """The new words of a reply: plain text (or HTML turned into text), without the
    quoted history and the signature."""
    plain = message.get_body(preferencelist=("plain",))
    if plain is not None:
        text = _decoded(plain)
    else:
        html = message.get_body(preferencelist=("html",))
        text = html_to_text(_decoded(html)) if html is not None else ""
    return strip_quoted(text)


def strip_quoted(text: str) -> str:
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.rstrip() in ("--", "-- ") or _QUOTE_START.match(line.strip()):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def _ticket_for(message: EmailMessage) -> Ticket | None:
    refs = " ".join(str(message.get(h, "")) for h in ("In-Reply-To", "References"))
    found = _OUR_THREAD.search(refs)
    number = int(found.group(1)) if found else None
    if number is None:
        for message_id in re.findall(r"<[^>]+>", refs):
            row = Outbox.get_or_none(Outbox.message_id == message_id)
            if row is not None and row.ticket_id:
                return Ticket.get_or_none(Ticket.id == row.ticket_id)
        number = notify.subject_number(str(message.get("Subject", "")))
    return Ticket.get_or_none(Ticket.number == number) if number is not None else None


def may_reply(user: User | None, ticket: Ticket) -> bool:
    """The requester, someone in copy, an org admin of that organization, or staff."""
    if user is None or not access.can_view_ticket(user, ticket):
        return False
    if user.is_staff or user.org_role == "org_admin":
        return True
    return user.id == ticket.requester_id or Participant.select().where(
        (Participant.ticket == ticket) & (Participant.user == user)).exists()


def _log(sender: str, subject: str, outcome: Outcome) -> Outcome:
    with transaction():
        InboundLog.create(sender=sender[:254], subject=subject[:250], outcome=outcome.outcome,
                          detail=outcome.detail[:1000], ticket=outcome.ticket)
    return outcome


def ingest(raw: bytes) -> Outcome:
    """Handle one RFC 822 message; the outcome is also written to the inbound log."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    sender = normalize_email(parseaddr(str(message.get("From", "")))[1])
    subject = str(message.get("Subject", ""))
    if str(message.get("Auto-Submitted", "no")).lower() != "no":
        return _log(sender, subject, Outcome("ignored", "automatic message (Auto-Submitted)"))
    ticket = _ticket_for(message)
    if ticket is None:
        return _log(sender, subject, Outcome("ignored", "no ticket referenced"))
    user = User.get_or_none(User.email == sender) if sender else None
    if not may_reply(user, ticket):
        return _log(sender, subject, Outcome("rejected", "sender may not reply to this ticket",
                                             ticket))
    if ticket.status == "closed":
        with transaction():
            notify.queue(user, "closed_reply", N_("Not added, the ticket is closed: "
                                                  "%(subject)s"), ticket)
        return _log(sender, subject, Outcome("answered", "ticket closed: follow-up needed",
                                             ticket))
    files = [uploads.Upload(part.get_filename() or "attachment",
                            io.BytesIO(part.get_payload(decode=True) or b""))
             for part in message.iter_attachments()]
    try:
        lifecycle.post_message(user, ticket, body_text(message), files, channel="email")
    except ServiceError as err:
        return _log(sender, subject, Outcome("rejected", err.text(), ticket))
    return _log(sender, subject, Outcome("appended", "", ticket))

