"""Polling a mailbox over IMAP for replies, as an alternative to an MTA pipe."""

from __future__ import annotations

import imaplib
import ssl

from portal import settings
from portal.mail.inbound import Outcome, ingest


def _connect(host: str) -> imaplib.IMAP4:
    port, mode = settings.get("IMAP_PORT", 993), settings.get("IMAP_TLS", "ssl")
    if mode == "ssl":
        return imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context())
    box = imaplib.IMAP4(host, port)
    if mode == "starttls":
        box.starttls(ssl_context=ssl.create_default_context())
    return box


def poll_once() -> list[Outcome]:
    """Ingest every unseen message of the configured folder, then mark it seen."""
    host = settings.get("IMAP_HOST")
    if not host:
        return []
    outcomes = []
    with _connect(host) as box:
        box.login(settings.get("IMAP_USER"), settings.get("IMAP_PASSWORD"))
        box.select(settings.get("IMAP_FOLDER", "INBOX"))
        _, found = box.search(None, "UNSEEN")
        for number in found[0].split():
            _, data = box.fetch(number, "(RFC822)")
            raw = next((part[1] for part in data if isinstance(part, tuple)), b"")
            outcomes.append(ingest(raw))
            box.store(number, "+FLAGS", "\\Seen")
    return outcomes
