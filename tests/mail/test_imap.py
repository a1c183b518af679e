"""The IMAP poller against a real IMAP server (pymap) on 127.0.0.1."""

import imaplib
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from portal.mail import imap, tokens
from portal.mail.models import InboundLog
from portal.tickets.models import Message
from tests import factories
from tests.mail.conftest import free_port

# The `pymap` script installed with the test extra, beside this Python.
PYMAP = shutil.which("pymap") or str(Path(sys.executable).parent / "pymap")


@pytest.fixture
def mailbox(app):
    port = free_port()
    server = subprocess.Popen([PYMAP, "--host", "127.0.0.1", "--port", str(port), "--no-tls",
                               "--no-service", "admin", "dict"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while True:
        try:
            imaplib.IMAP4("127.0.0.1", port).logout()
            break
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                pytest.fail("the IMAP server did not start")
            time.sleep(0.2)
    app.config.update(IMAP_HOST="127.0.0.1", IMAP_PORT=port, IMAP_TLS="none",
                      IMAP_USER="demouser", IMAP_PASSWORD="demopass",
                      MAIL_FROM="support@help.example")
    yield port
    server.terminate()
    server.wait(timeout=10)


def _deliver(port: int, raw: bytes) -> None:
    box = imaplib.IMAP4("127.0.0.1", port)
    box.login("demouser", "demopass")
    box.append("INBOX", None, None, raw)
    box.logout()


def test_poller_adds_replies_and_marks_them_seen(app, mailbox):
    acme = factories.org("acme")
    owner = factories.user("hanako@acme.example", organization=acme)
    factories.ticket(owner, subject="VPN")
    _deliver(mailbox, ("From: hanako@acme.example\r\n"
                       f"To: {tokens.reply_address(1, owner.id)}\r\n"
                       "Subject: Re: [MDG-1] VPN\r\nIn-Reply-To: <ticket-1@help.example>\r\n"
                       "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                       "IMAP で届いた返信です\r\n").encode())
    outcomes = imap.poll_once()
    assert [o.outcome for o in outcomes] == ["appended"]
    assert Message.select().where(Message.body == "IMAP で届いた返信です").count() == 1
    assert imap.poll_once() == []  # seen: not read twice
    assert InboundLog.select().count() == 1


def _unseen(port: int) -> int:
    box = imaplib.IMAP4("127.0.0.1", port)
    box.login("demouser", "demopass")
    box.select("INBOX")
    count = len(box.search(None, "UNSEEN")[1][0].split())
    box.logout()
    return count


def test_a_message_whose_handling_failed_stays_unseen_and_is_added_next_poll(
        app, mailbox, monkeypatch):
    acme = factories.org("acme")
    owner = factories.user("hanako@acme.example", organization=acme)
    factories.ticket(owner, subject="VPN")
    _deliver(mailbox, ("From: hanako@acme.example\r\n"
                       f"To: {tokens.reply_address(1, owner.id)}\r\n"
                       "Subject: Re: [MDG-1] VPN\r\nMessage-ID: <once@acme.example>\r\n"
                       "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                       "一度目は失敗します\r\n").encode())
    real = imap.ingest
    calls = []

    def fails_once(raw):
        calls.append(raw)
        if len(calls) == 1:
            raise OSError("disk I/O error")
        return real(raw)

    monkeypatch.setattr(imap, "ingest", fails_once)
    assert imap.poll_once() == []
    assert _unseen(mailbox) == 1  # peeked, not flagged: nothing is lost
    error = InboundLog.get(InboundLog.outcome == "error")
    assert "disk I/O error" in error.detail
    assert Message.select().where(Message.body == "一度目は失敗します").count() == 0

    assert [o.outcome for o in imap.poll_once()] == ["appended"]
    assert Message.select().where(Message.body == "一度目は失敗します").count() == 1
    assert _unseen(mailbox) == 0
    assert imap.poll_once() == []
