"""Sending the outbox over SMTP, with retries; a mail that cannot go out fails alone.

A sender claims each row, with the time of that claim, for a few minutes before talking
to SMTP, and marks it sent right after the server accepts it, each in its own short
transaction; so another sender never takes a row still in work, however long the batch
before it took. A sender that dies mid-batch leaves its unsent rows to expire their
claim and be picked up again; rows it had sent stay sent. Delivery is at-least-once: a
crash between the server's acceptance and the row being marked sent sends that one
mail again (with the same Message-ID).

Every failure counts an attempt and waits longer each time (1, 2, 4 … 60 minutes). A
row is marked failed, and left alone, when the server refuses it for good (a 5xx reply)
or after ``PORTAL_MAIL_MAX_ATTEMPTS`` attempts; a row that cannot even be built (a broken
header) fails that way too, and the rest of the batch goes out.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr

from portal import clock, settings
from portal.db import transaction
from portal.mail.models import Outbox

CLAIM = timedelta(minutes=5)
MAX_BACKOFF_MINUTES = 60
log = logging.getLogger(__name__)


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_MINUTES))


def _claimable(now):
    return (Outbox.sent_at.is_null() & Outbox.failed_at.is_null() & (Outbox.send_after <= now)
            & (Outbox.claimed_until.is_null() | (Outbox.claimed_until < now)))


def _claim(row_id: int) -> bool:
    """Take the row for one claim period from now, if nobody holds it and it is still due."""
    now = clock.now()
    with transaction():
        return bool(Outbox.update(claimed_until=now + CLAIM).where(
            (Outbox.id == row_id) & _claimable(now)).execute())


def build(row: Outbox) -> EmailMessage:
    """The RFC 5322 message for an outbox row."""
    message = EmailMessage()
    message["From"] = formataddr(("Madoguchi Support", settings.get("MAIL_FROM")))
    message["To"] = row.to_address
    message["Reply-To"] = row.reply_to or settings.get("MAIL_FROM")
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


def send_due(limit: int = 200) -> tuple[int, int]:
    """Send what is due; return (sent, failed attempts). Safe to run from several processes."""
    if not settings.get("SMTP_HOST"):
        return 0, 0
    rows = list(Outbox.select(Outbox.id).where(_claimable(clock.now()))
                .order_by(Outbox.id).limit(limit))
    sent = failed = 0
    smtp = None
    try:
        for ref in rows:
            if not _claim(ref.id):
                continue  # another sender has it
            row = Outbox.get_by_id(ref.id)
            try:
                message = build(row)
            except Exception as err:  # the row itself is broken; the others go on
                _failed(row, err)
                failed += 1
                continue
            try:
                smtp = smtp or _connect()
                smtp.send_message(message)
            except Exception as err:
                _failed(row, err)
                failed += 1
                if not isinstance(err, smtplib.SMTPResponseException):
                    smtp = _close(smtp)  # the connection's state is unknown: start afresh
                continue
            with transaction():
                Outbox.update(sent_at=clock.now(), claimed_until=None,
                              attempts=Outbox.attempts + 1).where(Outbox.id == row.id).execute()
            sent += 1
    finally:
        _close(smtp)
    return sent, failed


def refused_for_good(err: Exception) -> bool:
    """A 5xx answer: the server will never take this mail as it is."""
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in err.recipients.values())
    return isinstance(err, smtplib.SMTPResponseException) and err.smtp_code >= 500


def _failed(row: Outbox, err: Exception) -> None:
    attempts = row.attempts + 1
    now = clock.now()
    give_up = refused_for_good(err) or attempts >= settings.get("MAIL_MAX_ATTEMPTS", 20)
    log.warning("mail %s to %s: attempt %d failed%s: %s", row.id, row.to_address, attempts,
                " for good" if give_up else "", err)
    with transaction():
        Outbox.update(attempts=attempts, last_error=f"{type(err).__name__}: {err}"[:500],
                      send_after=now + backoff(attempts), claimed_until=None,
                      failed_at=now if give_up else None).where(Outbox.id == row.id).execute()


def _close(smtp):
    if smtp is not None:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return None
