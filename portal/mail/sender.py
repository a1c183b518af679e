"""Sending the outbox over SMTP, with retries, and never twice.

A sender claims a row for a few minutes before talking to SMTP and marks it sent right
after the server accepts it, each in its own short transaction. A sender that dies
mid-batch leaves its unsent rows to expire their claim and be picked up again; rows it
had sent stay sent. Failures wait longer each time (1, 2, 4 … 60 minutes).
"""

from __future__ import annotations

import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr

from portal import clock, settings
from portal.db import transaction
from portal.mail.models import Outbox

CLAIM = timedelta(minutes=5)
MAX_BACKOFF_MINUTES = 60


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_MINUTES))


def _claim(row_id: int, now: datetime) -> bool:
    with transaction():
        return bool(Outbox.update(claimed_until=now + CLAIM).where(
            (Outbox.id == row_id) & Outbox.sent_at.is_null()
            & (Outbox.claimed_until.is_null() | (Outbox.claimed_until < now))).execute())


def build(row: Outbox) -> EmailMessage:
    """The RFC 5322 message for an outbox row."""
    message = EmailMessage()
    message["From"] = formataddr(("Madoguchi Support", settings.get("MAIL_FROM")))
    message["To"] = row.to_address
    message["Reply-To"] = settings.get("MAIL_FROM")
    message["Subject"] = row.subject
    message["Message-ID"] = row.message_id
    if row.in_reply_to:
        message["In-Reply-To"] = row.in_reply_to
        message["References"] = row.in_reply_to
    message["Auto-Submitted"] = "auto-generated"  # no vacation replies back to us
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(row.text_body)
    if row.html_body:
        message.add_alternative(row.html_body, subtype="html")
    return message


def _connect() -> smtplib.SMTP:
    host, port = settings.get("SMTP_HOST"), settings.get("SMTP_PORT")
    mode = settings.get("SMTP_TLS", "none")
    if mode == "ssl":
        smtp = smtplib.SMTP_SSL(host, port, timeout=30, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=30)
        if mode == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    if settings.get("SMTP_USER"):
        smtp.login(settings.get("SMTP_USER"), settings.get("SMTP_PASSWORD"))
    return smtp


def send_due(limit: int = 200, now: datetime | None = None) -> tuple[int, int]:
    """Send what is due; return (sent, failed). Safe to run from several processes."""
    now = now or clock.now()
    if not settings.get("SMTP_HOST"):
        return 0, 0
    rows = list(Outbox.select(Outbox.id).where(
        Outbox.sent_at.is_null() & (Outbox.send_after <= now)
        & (Outbox.claimed_until.is_null() | (Outbox.claimed_until < now)))
        .order_by(Outbox.id).limit(limit))
    sent = failed = 0
    smtp = None
    try:
        for ref in rows:
            if not _claim(ref.id, now):
                continue  # another sender has it
            row = Outbox.get_by_id(ref.id)
            try:
                smtp = smtp or _connect()
                smtp.send_message(build(row))
            except (OSError, smtplib.SMTPException) as err:
                _failed(row, err, now)
                failed += 1
                if smtp is None or isinstance(err, (OSError, smtplib.SMTPServerDisconnected)):
                    smtp = _close(smtp)
                continue
            with transaction():
                Outbox.update(sent_at=clock.now(), claimed_until=None,
                              attempts=Outbox.attempts + 1).where(Outbox.id == row.id).execute()
            sent += 1
    finally:
        _close(smtp)
    return sent, failed


def _failed(row: Outbox, err: Exception, now: datetime) -> None:
    attempts = row.attempts + 1
    with transaction():
        Outbox.update(attempts=attempts, last_error=f"{type(err).__name__}: {err}"[:500],
                      send_after=now + backoff(attempts), claimed_until=None).where(
            Outbox.id == row.id).execute()


def _close(smtp):
    if smtp is not None:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return None


def pending() -> list[Outbox]:
    """Unsent mail, the ones that failed most first (for the admins' page)."""
    return list(Outbox.select().where(Outbox.sent_at.is_null())
                .order_by(Outbox.attempts.desc(), Outbox.id).limit(200))
