"""Polling a mailbox over IMAP for replies, as an alternative to an MTA pipe.

A message is read with ``BODY.PEEK[]``, which leaves it unseen, and flagged ``\\Seen``
only once its outcome is committed (appended, refused and logged, or a duplicate). When
handling it fails, it stays unseen and the next poll tries again; the error is logged.
"""

from __future__ import annotations

import imaplib
import logging
import ssl

from portal import settings
from portal.db import transaction
from portal.mail.inbound import Outcome, ingest
from portal.mail.models import InboundLog

log = logging.getLogger(__name__)


def _connect(host: str) -> imaplib.IMAP4:
    port, mode = settings.get("IMAP_PORT", 993), settings.get("IMAP_TLS", "ssl")
    if mode == "ssl":
        return imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context())
    box = imaplib.IMAP4(host, port)
    if mode == "starttls":
        box.starttls(ssl_context=ssl.create_default_context())
    return box


def poll_once() -> list[Outcome]:
    """Ingest every unseen message of the configured folder, marking each seen once it
    has been handled; return the outcomes of those handled."""
    host = settings.get("IMAP_HOST")
    if not host:
        return []
    outcomes = []
    with _connect(host) as box:
        box.login(settings.get("IMAP_USER"), settings.get("IMAP_PASSWORD"))
        box.select(settings.get("IMAP_FOLDER", "INBOX"))
        _, found = box.search(None, "UNSEEN")
        for number in found[0].split():
            _, data = box.fetch(number, "(BODY.PEEK[])")
            raw = next((part[1] for part in data if isinstance(part, tuple)), b"")
            try:
                outcome = ingest(raw)
            except Exception as err:
                _record_error(err)
                continue  # left unseen: the next poll tries again
            box.store(number, "+FLAGS", "\\Seen")
            outcomes.append(outcome)
    return outcomes


def _record_error(err: Exception) -> None:
    """Log a failed ingestion, in the server log and (if it answers) the inbound log."""
    log.exception("mail from IMAP could not be handled; it stays unseen for the next poll")
    try:
        with transaction():
            InboundLog.create(sender="", subject="", outcome="error",
                              detail=f"{type(err).__name__}: {err}"[:900]
                              + " (left unseen for the next poll)")
    except Exception:
        log.exception("the inbound log could not record it either")
