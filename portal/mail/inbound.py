"""Mail that comes in: a reply to a ticket by someone allowed to reply.

Threat: anyone can send mail claiming any From address and any ticket number. A reply is
only believed when it was sent to the reply address of one of our notifications, whose
token (``portal.mail.tokens``) names the ticket and the very person in ``From:``; and
when the receiving mail server's ``Authentication-Results`` do not report a DMARC
failure. Staff and customers alike: a mail without a valid token is refused and logged,
and gets no answer (an answer would go to whoever was forged: backscatter). The sender
must also still be allowed to take part in the ticket (the requester, someone in copy,
an org admin of that organization, or staff). The body goes through the same door as
web replies (``render_markdown``), attachments through the same checks and limits.

Each mail is handled once: its Message-ID is unique in the inbound log, written in the
transaction that appends the reply, so a second arrival (two pollers, a re-delivery, the
pipe and IMAP both) is recognised and dropped, even when both arrive at once.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from datetime import UTC
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from peewee import IntegrityError

from portal import clock, settings
from portal.accounts.models import User
from portal.accounts.services import normalize_email
from portal.cleaning import one_line
from portal.db import transaction
from portal.errors import N_, ServiceError
from portal.mail import notify, tokens
from portal.mail.models import AutoReply, InboundLog
from portal.tickets import lifecycle, uploads
from portal.tickets import policy as access
from portal.tickets.models import Participant, Ticket

# Lines that start the quoted history in the usual mail clients, English and Japanese.
_QUOTE_START = re.compile(
    r"^(On .{3,200} wrote:\s*$|.{0,200}(wrote|a écrit|schrieb):\s*$|-+\s*Original Message\s*-+"
    r"|-+\s*元のメッセージ\s*-+|From:\s|差出人:\s|送信者:\s|\d{4}年\d{1,2}月\d{1,2}日.{0,120}:\s*$"
    r"|.{0,120}<[^>@\s]+@[^>\s]+>\s*:\s*$)")
_CHARSET_ALIASES = {"shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932",
                    "x-sjis": "cp932", "iso-2022-jp": "iso2022_jp_ext"}


@dataclass
class Outcome:
    outcome: str  # appended | rejected | answered | ignored | duplicate
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


def may_reply(user: User | None, ticket: Ticket) -> bool:
    """The requester, someone in copy, an org admin of that organization, or staff."""
    if user is None or not access.can_view_ticket(user, ticket):
        return False
    if user.is_staff or user.org_role == "org_admin":
        return True
    return user.id == ticket.requester_id or Participant.select().where(
        (Participant.ticket == ticket) & (Participant.user == user)).exists()


def sender_of(message: EmailMessage) -> str:
    """The one address in ``From:``, normalised; empty when there is not exactly one."""
    try:
        header = message["From"]
        addresses = header.addresses if header is not None else ()
    except Exception:  # a header too broken to parse names nobody
        return ""
    if len(addresses) != 1 or not addresses[0].username or not addresses[0].domain:
        return ""
    return normalize_email(addresses[0].addr_spec)


def message_id_of(message: EmailMessage, raw: bytes) -> str:
    """The mail's Message-ID, or a digest of its bytes when it has none (or a huge one)."""
    try:
        found = re.search(r"<[^<>\s]+>", str(message.get("Message-ID", "")))
    except Exception:
        found = None
    if found and len(found.group(0)) <= 250:
        return found.group(0)
    return "sha256:" + hashlib.sha256(found.group(0).encode() if found else raw).hexdigest()


def _comments_removed(text: str) -> str:
    while True:
        shorter = re.sub(r"\([^()]*\)", " ", text)
        if shorter == text:
            return text
        text = shorter


def authentication_failure(message: EmailMessage) -> str:
    """Why the receiving server's ``Authentication-Results`` refuse this mail, or "".

    The header we believe is the one whose authserv-id is ``PORTAL_MAIL_AUTHSERV_ID``
    (then it must be there), else the topmost one, which our own server added last.
    Headers further down were written by whoever sent the mail and prove nothing.
    """
    wanted = (settings.get("MAIL_AUTHSERV_ID") or "").strip().lower()
    results = []
    for value in message.get_all("Authentication-Results") or []:
        server, _, checks = _comments_removed(str(value)).partition(";")
        results.append(((server.split() or [""])[0].lower(), checks))
    believed = [r for r in results if r[0] == wanted] if wanted else results[:1]
    if wanted and not believed:
        return f"no Authentication-Results from {wanted}"
    for server, checks in believed:
        verdict = re.search(r"(?:^|;)\s*dmarc\s*=\s*([a-z]+)", checks, re.IGNORECASE)
        if verdict and verdict.group(1).lower() == "fail":
            return f"DMARC failed (Authentication-Results of {server or 'unknown'})"
    return ""


def _token_for(message: EmailMessage, sender: str) -> tuple[User | None, Ticket | None, str]:
    """The user and ticket of a reply token addressed to this mail and naming its sender,
    or why there is none."""
    text = " ".join(str(value) for name in tokens.RECIPIENT_HEADERS
                    for value in (message.get_all(name) or []))
    found, forged = tokens.found_in(text)
    if not found:
        return None, None, ("reply token does not verify" if forged else
                            "no reply token: not an answer to our mail")
    for token in found:
        user = User.get_or_none(User.id == token.user_id)
        if user is not None and user.email == sender:
            ticket = Ticket.get_or_none(Ticket.number == token.number)
            if ticket is not None:
                return user, ticket, ""
    return None, None, "the reply token was given to someone else"


def _local_day() -> str:
    zone = ZoneInfo(settings.get("TIMEZONE") or "Asia/Tokyo")
    return clock.now().replace(tzinfo=UTC).astimezone(zone).date().isoformat()


def _first_auto_reply_today(address: str) -> bool:
    """Record an auto-reply to ``address`` today; False if one was already recorded.

    The unique (address, day) pair decides, so two mails handled at once send one answer.
    """
    try:
        with transaction():  # a savepoint inside the caller's transaction
            AutoReply.create(address=address, day=_local_day())
        return True
    except IntegrityError:
        return False


def _log(sender: str, subject: str, outcome: Outcome, message_id: str | None) -> Outcome:
    """Record the outcome; the Message-ID is kept so the same mail is not handled again."""
    try:
        with transaction():
            _log_row(sender, subject, outcome, message_id)
    except IntegrityError:
        return _duplicate(sender, subject, message_id)
    return outcome


def _log_row(sender: str, subject: str, outcome: Outcome, message_id: str | None) -> None:
    InboundLog.create(sender=sender[:254], subject=subject[:250], outcome=outcome.outcome,
                      detail=outcome.detail[:1000], ticket=outcome.ticket,
                      message_id=message_id)


def _duplicate(sender: str, subject: str, message_id: str) -> Outcome:
    return _log(sender, subject, Outcome("duplicate", f"already received: {message_id}"[:1000]),
                None)


def ingest(raw: bytes) -> Outcome:
    """Handle one RFC 822 message; the outcome is also written to the inbound log."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    sender = sender_of(message)
    try:
        subject = one_line(str(message.get("Subject", "")))
    except Exception:
        subject = ""
    message_id = message_id_of(message, raw)
    if InboundLog.select().where(InboundLog.message_id == message_id).exists():
        return _duplicate(sender, subject, message_id)

    def done(outcome: Outcome) -> Outcome:
        return _log(sender, subject, outcome, message_id)

    if str(message.get("Auto-Submitted", "no")).lower() != "no":
        return done(Outcome("ignored", "automatic message (Auto-Submitted)"))
    if not sender:
        return done(Outcome("rejected", "From: does not hold exactly one address"))
    failure = authentication_failure(message)
    if failure:
        return done(Outcome("rejected", failure))
    user, ticket, why = _token_for(message, sender)
    if ticket is None:
        return done(Outcome("rejected", why))
    if not may_reply(user, ticket):
        return done(Outcome("rejected", "sender may not reply to this ticket", ticket))
    if ticket.status == "closed":
        return _answer_closed(user, ticket, sender, subject, message_id)
    files = [uploads.Upload(part.get_filename() or "attachment",
                            io.BytesIO(part.get_payload(decode=True) or b""))
             for part in message.iter_attachments()]
    try:
        with transaction():
            _log_row(sender, subject, Outcome("appended", "", ticket), message_id)
            lifecycle.post_message(user, ticket, body_text(message), files, channel="email")
    except ServiceError as err:
        return done(Outcome("rejected", err.text(), ticket))
    except IntegrityError:
        if InboundLog.select().where(InboundLog.message_id == message_id).exists():
            return _duplicate(sender, subject, message_id)
        raise
    return Outcome("appended", "", ticket)


def _answer_closed(user: User, ticket: Ticket, sender: str, subject: str,
                   message_id: str) -> Outcome:
    """Point the sender to a follow-up, at most once a day per sender."""
    try:
        with transaction():
            if _first_auto_reply_today(sender):
                outcome = Outcome("answered", "ticket closed: follow-up needed", ticket)
                notify.queue(user, "closed_reply", N_("Not added, the ticket is closed: "
                                                      "%(subject)s"), ticket)
            else:
                outcome = Outcome("ignored", "ticket closed: this sender was answered today",
                                  ticket)
            _log_row(sender, subject, outcome, message_id)
    except IntegrityError:
        return _duplicate(sender, subject, message_id)
    return outcome
