"""The outbox page: decoded names, states and counts, banners, retry now, discard."""

import pytest

from portal.accounts import services as accounts
from portal.accounts.models import Audit
from portal.admin import mailroom
from portal.mail import sender
from portal.mail.models import Outbox
from tests import factories
from tests.mail.conftest import SMTPServer, free_port


@pytest.fixture
def queued(app, people):
    """A password-reset mail to a user with a Japanese name (its To: is MIME-encoded)."""
    user = factories.user("suzuki@acme.example", organization=people["boss"].organization)
    user.name = "鈴木 次郎"
    user.save()
    accounts.request_password_reset("suzuki@acme.example")
    row = Outbox.get(Outbox.to_address.contains("suzuki@acme.example"))
    assert "=?utf-8?" in row.to_address
    return row


@pytest.fixture
def admin_client(people, client, login):
    login("root@support.example")
    return client


def _fail_once(app):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_TLS="none")
    sender.send_due()


def test_names_are_decoded_and_the_banner_says_smtp_is_off(queued, admin_client):
    page = admin_client.get("/admin/outbox").get_data(as_text=True)
    assert "鈴木 次郎 &lt;suzuki@acme.example&gt;" in page
    assert "=?utf-8?" not in page
    assert "SMTP is not configured" in page


def test_a_failed_attempt_waits_for_its_retry_with_a_banner(queued, admin_client, app):
    _fail_once(app)
    assert mailroom.state(mailroom.row_by_id(queued.id)) == "queued"
    page = admin_client.get("/admin/outbox").get_data(as_text=True)
    assert "The last attempt to send failed" in page and "ConnectionRefusedError" in page
    assert mailroom.counts()["failed"] == 0


def test_mail_out_of_attempts_is_shown_as_failed(queued, admin_client, app):
    app.config.update(MAIL_MAX_ATTEMPTS=1)
    _fail_once(app)
    assert mailroom.state(mailroom.row_by_id(queued.id)) == "failed"
    page = admin_client.get("/admin/outbox?state=failed").get_data(as_text=True)
    assert "ConnectionRefusedError" in page and "suzuki@acme.example" in page
    assert mailroom.counts()["failed"] == 1


def test_retry_now_sends_it(queued, admin_client, app):
    _fail_once(app)
    server = SMTPServer(free_port())
    server.start()
    try:
        app.config.update(SMTP_PORT=server.port)
        assert sender.send_due() == (0, 0)  # still waiting out its back-off
        response = admin_client.submit(f"/admin/outbox/{queued.id}/retry")
        assert response.status_code == 302
        assert sender.send_due() == (1, 0)
    finally:
        server.stop()
    assert server.inbox.messages[0]["To"].addresses[0].display_name == "鈴木 次郎"
    assert mailroom.state(mailroom.row_by_id(queued.id)) == "sent"
    assert Audit.get(Audit.action == "retry").object_id == queued.id
    page = admin_client.get("/admin/outbox").get_data(as_text=True)
    assert "The last attempt to send failed" not in page


def test_discard_needs_a_reason_and_is_never_sent(queued, admin_client, app):
    refused = admin_client.submit(f"/admin/outbox/{queued.id}/discard", {"reason": "  "})
    assert refused.status_code == 302
    assert mailroom.state(mailroom.row_by_id(queued.id)) == "queued"
    admin_client.submit(f"/admin/outbox/{queued.id}/discard", {"reason": "address left"})
    row = mailroom.row_by_id(queued.id)
    assert mailroom.state(row) == "discarded" and row.discarded_reason == "address left"
    server = SMTPServer(free_port())
    server.start()
    try:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_TLS="none")
        assert sender.send_due() == (0, 0)
    finally:
        server.stop()
    assert server.inbox.messages == []
    page = admin_client.get("/admin/outbox?state=discarded").get_data(as_text=True)
    assert "address left" in page
    audit = Audit.get(Audit.action == "discard")
    assert audit.detail["reason"] == "address left"
    assert audit.detail["state"] == ["queued", "discarded"]


def test_sent_mail_cannot_be_discarded_or_retried(queued, admin_client):
    Outbox.update(sent_at=queued.created_at).execute()
    admin_client.submit(f"/admin/outbox/{queued.id}/discard", {"reason": "x"})
    admin_client.submit(f"/admin/outbox/{queued.id}/retry")
    row = mailroom.row_by_id(queued.id)
    assert mailroom.state(row) == "sent" and row.discarded_at is None


def test_only_admins_act_on_the_outbox(queued, people, client, login):
    login("agent@support.example")
    assert client.submit(f"/admin/outbox/{queued.id}/discard",
                         {"reason": "x"}).status_code == 404
    assert mailroom.state(mailroom.row_by_id(queued.id)) == "queued"


def test_undecodable_names_are_shown_as_stored():
    assert mailroom.display_address("=?bogus-charset?b?AAAA?= <a@b.example>").endswith(
        "<a@b.example>")
    assert mailroom.display_address("plain@example.com") == "plain@example.com"
