"""A real SMTP server on 127.0.0.1 (aiosmtpd) that the portal sends to."""

from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from portal import clock


class Inbox:
    """Collects what the SMTP server accepted; refuses for good the addresses in
    ``refuse`` (550, as for an unknown mailbox)."""

    def __init__(self):
        self.messages = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.original_content,
                                                policy=policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SMTPServer:
    def __init__(self, port: int):
        self.port = port
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app):
    server = SMTPServer(free_port())
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_TLS="none",
                      MAIL_FROM="support@help.example", BASE_URL="https://help.example")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def frozen():
    """The portal's clock, stopped now; ``frozen(minutes=…)`` moves it on."""
    moment = [clock.now()]
    clock.freeze(moment[0])

    def advance(**delta) -> None:
        moment[0] += timedelta(**delta)
        clock.freeze(moment[0])

    yield advance
    clock.freeze(None)
