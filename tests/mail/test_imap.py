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
