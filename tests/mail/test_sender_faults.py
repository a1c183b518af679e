"""A mail that cannot go out fails alone, visibly; a row in work is never taken twice."""

import asyncio
import threading

import pytest

from portal.db import db
from portal.mail import sender
from portal.mail.models import Outbox
from tests import factories


def _row(subject: str, to: str = "Someone <someone@example.com>") -> Outbox:
    return Outbox.create(to_address=to, subject=subject, text_body="body",
                         message_id=f"<{abs(hash(subject))}@help.example>")


@pytest.fixture
def admin(app, client, login):
    factories.user("root@help.example", role="admin")
    login("root@help.example")
    return client


@pytest.mark.parametrize("bad", ["Hello\r\nBcc: victim@example.com", "line\nbreak",
                                 "carriage\rreturn"])
def test_an_unbuildable_row_fails_alone_and_the_batch_goes_out(smtp, frozen, app, bad):
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    first, broken, last = _row("First"), _row(bad), _row("Password reset")
    assert sender.send_due() == (2, 1)
    assert sorted(str(m["Subject"]) for m in smtp.inbox.messages) == ["First",
                                                                       "Password reset"]
    broken = Outbox.get_by_id(broken.id)
    assert (broken.attempts, broken.state) == (1, "queued") and broken.last_error
    assert broken.claimed_until is None  # not left claimed
    frozen(minutes=2)
    assert sender.send_due() == (0, 1)
    broken = Outbox.get_by_id(broken.id)
    assert (broken.attempts, broken.state) == (2, "failed")
    frozen(hours=5)
    assert sender.send_due() == (0, 0)  # failed for good: never tried again
    assert len(smtp.inbox.messages) == 2
    assert all("victim" not in str(m.get("Bcc", "")) for m in smtp.inbox.messages)
    assert {Outbox.get_by_id(r.id).state for r in (first, last)} == {"sent"}


def test_a_permanent_refusal_fails_at_once_and_shows_on_the_outbox_page(smtp, admin):
    smtp.inbox.refuse.add("gone@example.com")
    refused, fine = _row("To nobody", "Gone <gone@example.com>"), _row("To someone")
    assert sender.send_due() == (1, 1)
    refused = Outbox.get_by_id(refused.id)
    assert refused.state == "failed" and refused.attempts == 1
    assert "550" in refused.last_error
    assert Outbox.get_by_id(fine.id).state == "sent"
    html = admin.get("/admin/outbox").get_data(as_text=True)
    assert "To nobody" in html and "No such user here" in html and "Failed" in html


def test_a_row_in_work_is_not_taken_by_a_second_sender(cast_two_rows, smtp, frozen):
    """Sender A's batch is slow (its first mail takes six minutes, longer than a claim);
    sender B starts while A is sending the second mail. B must leave that row alone."""
    first_id, second_id = cast_two_rows
    second_arrived, release = threading.Event(), threading.Event()
    seen = {"second": 0}
    inbox = smtp.inbox
    original = inbox.handle_DATA

    async def slow_data(server, session, envelope):
        if b"Slow first" in envelope.original_content:
            frozen(minutes=6)  # the first mail took six minutes
        if b"Second" in envelope.original_content:
            seen["second"] += 1
            if seen["second"] == 1:  # sender A's delivery: hold it until B has run
                second_arrived.set()
                while not release.is_set():
                    await asyncio.sleep(0.01)
        return await original(server, session, envelope)

    inbox.handle_DATA = slow_data
    results = {}

    def sender_a() -> None:
        try:
            results["a"] = sender.send_due()
        finally:
            db.close()

    worker = threading.Thread(target=sender_a)
    worker.start()
    try:
        assert second_arrived.wait(timeout=30)
        frozen(minutes=1)  # seven minutes after A's batch began
        results["b"] = sender.send_due()
    finally:
        release.set()
        worker.join(timeout=30)
    assert results == {"a": (2, 0), "b": (0, 0)}
    assert seen["second"] == 1
    assert [str(m["Subject"]) for m in inbox.messages] == ["Slow first", "Second"]


@pytest.fixture
def cast_two_rows(app):
    return _row("Slow first").id, _row("Second").id


def test_a_thousand_mails_and_two_senders_each_mail_arrives_once(app, smtp):
    from portal.db import transaction

    with transaction():
        Outbox.insert_many([{"to_address": f"c{i}@example.com", "subject": f"Mail {i}",
                             "text_body": "body", "message_id": f"<bulk-{i}@help.example>"}
                            for i in range(1000)]).execute()
    totals = {}

    def run(name: str) -> None:
        sent = 0
        try:
            for _ in range(50):  # bounded: each pass sends up to 200
                done, failed = sender.send_due()
                assert failed == 0
                sent += done
                if not done and not Outbox.select().where(Outbox.sent_at.is_null()).exists():
                    break
        finally:
            totals[name] = sent
            db.close()

    workers = [threading.Thread(target=run, args=(name,)) for name in ("a", "b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    ids = [str(m["Message-ID"]) for m in smtp.inbox.messages]
    assert len(ids) == len(set(ids)) == 1000
    assert totals["a"] + totals["b"] == 1000 and min(totals.values()) > 0
