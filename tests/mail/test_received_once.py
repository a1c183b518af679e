"""The same mail arriving twice is added once; a closed ticket answers once a day."""

import threading

import pytest

from portal.db import db
from portal.mail import inbound
from portal.mail.models import AutoReply, InboundLog, Outbox
from portal.tickets.models import Message, Ticket
from tests.mail.test_ingest import raw_message, thread  # noqa: F401  (fixture)


def _in_parallel(*raws: bytes) -> list[str]:
    """Ingest each message in its own thread, all starting together."""
    start = threading.Barrier(len(raws))
    outcomes: list[str] = [""] * len(raws)

    def run(index: int, raw: bytes) -> None:
        try:
            start.wait()
            outcomes[index] = inbound.ingest(raw).outcome
        finally:
            db.close()  # this thread's own connection

    workers = [threading.Thread(target=run, args=(i, raw)) for i, raw in enumerate(raws)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    return outcomes


def test_a_redelivered_mail_is_added_once(thread):  # noqa: F811
    raw = raw_message(b"only once please", message_id="<same@mail.example>")
    assert inbound.ingest(raw).outcome == "appended"
    again = inbound.ingest(raw)
    assert again.outcome == "duplicate" and "<same@mail.example>" in again.detail
    assert Message.select().where(Message.body == "only once please").count() == 1
    assert InboundLog.select().where(InboundLog.message_id == "<same@mail.example>").count() == 1


def test_the_same_mail_from_two_pollers_at_once_is_added_once(thread):  # noqa: F811
    raw = raw_message(b"raced", message_id="<race@mail.example>")
    outcomes = _in_parallel(raw, raw)
    assert sorted(outcomes) == ["appended", "duplicate"]
    assert Message.select().where(Message.body == "raced").count() == 1


def test_a_mail_without_message_id_is_recognised_by_its_bytes(thread):  # noqa: F811
    raw = raw_message(b"no id").replace(b"Message-ID:", b"X-Old-ID:")
    assert [inbound.ingest(raw).outcome for _ in range(2)] == ["appended", "duplicate"]


@pytest.fixture
def closed(thread):  # noqa: F811
    Ticket.update(status="closed").execute()
    Outbox.delete().execute()
    return thread


def test_a_closed_ticket_answers_a_sender_once_a_day(closed, frozen):
    outcomes = [inbound.ingest(raw_message(f"still broken {i}".encode())).outcome
                for i in range(3)]
    assert outcomes == ["answered", "ignored", "ignored"]
    assert Outbox.select().count() == 1
    frozen(days=1)
    assert inbound.ingest(raw_message(b"next day")).outcome == "answered"
    assert Outbox.select().count() == 2
    assert Message.select().where(Message.body.contains("broken")).count() == 0


def test_two_mails_to_a_closed_ticket_at_once_get_one_answer(closed):
    outcomes = _in_parallel(raw_message(b"first"), raw_message(b"second"))
    assert sorted(outcomes) == ["answered", "ignored"]
    assert Outbox.select().count() == 1 and AutoReply.select().count() == 1
