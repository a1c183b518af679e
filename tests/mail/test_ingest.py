"""Replies by mail: real RFC 822 messages, as Japanese and Western clients send them."""

import base64
import itertools
from email.header import Header

import pytest

from portal.accounts.models import User
from portal.mail import inbound, tokens
from portal.mail.models import InboundLog, Outbox
from portal.tickets.models import Attachment, Message, Ticket
from tests import factories

_serial = itertools.count(1)


@pytest.fixture
def thread(app):
    app.config.update(MAIL_FROM="support@help.example", BASE_URL="https://help.example")
    acme = factories.org("acme", plan="premium")
    owner = factories.user("hanako@acme.example", organization=acme, locale="ja")
    factories.user("member@acme.example", organization=acme, org_role="member")
    factories.user("spy@rival.example")
    ticket = factories.ticket(owner, subject="VPN が切れる")
    return ticket


def reply_address(email: str, number: int = 1) -> str:
    """The reply address our notifications about ticket ``number`` give ``email``."""
    user = User.get_or_none(User.email == email)
    return tokens.reply_address(number, user.id) if user else "support@help.example"


def raw_message(body: bytes, *, sender="hanako@acme.example", charset="utf-8",
                cte="8bit", subject="Re: [MDG-1] VPN が切れる",
                in_reply_to="<ticket-1@help.example>", content_type="text/plain",
                extra_headers="", to=None, message_id=None) -> bytes:
    subject_header = Header(subject, charset if charset != "shift_jis" else "utf-8").encode()
    to = to or reply_address(sender)
    message_id = message_id or f"<abc-{next(_serial)}@mail.example>"
    head = (f"From: Hanako <{sender}>\r\nTo: {to}\r\n"
            f"Subject: {subject_header}\r\nMessage-ID: {message_id}\r\n"
            + (f"In-Reply-To: {in_reply_to}\r\nReferences: {in_reply_to}\r\n"
               if in_reply_to else "")
            + extra_headers
            + f"MIME-Version: 1.0\r\nContent-Type: {content_type}; charset={charset}\r\n"
            f"Content-Transfer-Encoding: {cte}\r\n\r\n")
    return head.encode("ascii") + body


def last_reply() -> Message:
    return Message.select().where(Message.kind == "reply").order_by(Message.id.desc()).get()


def test_iso_2022_jp_reply_is_appended_without_the_quoted_history(thread):
    text = ("再起動したら直りました。\r\nありがとうございます。\r\n\r\n"
            "2026年11月20日(金) 10:00 Madoguchi Support <support@help.example>:\r\n"
            "> 再起動をお試しください。\r\n")
    outcome = inbound.ingest(raw_message(text.encode("iso2022_jp"), charset="ISO-2022-JP",
                                         cte="7bit"))
    assert outcome.outcome == "appended"
    reply = last_reply()
    assert reply.body == "再起動したら直りました。\nありがとうございます。"
    assert reply.channel == "email" and reply.author.email == "hanako@acme.example"


def test_shift_jis_with_a_signature(thread):
    text = "ログを添付します。①②の順に試しました。\r\n-- \r\n山田 花子\r\n株式会社アクメ\r\n"
    body = base64.encodebytes(text.encode("cp932"))
    outcome = inbound.ingest(raw_message(body, charset="Shift_JIS", cte="base64"))
    assert outcome.outcome == "appended"
    assert last_reply().body == "ログを添付します。①②の順に試しました。"


def test_html_only_mail_becomes_text(thread):
    html = ("<html><head><style>p{color:red}</style></head><body><p>Still <b>broken</b>"
            " after the update.</p><script>alert(1)</script><div>Regards</div>"
            "<blockquote>On Mon, support wrote:</blockquote></body></html>")
    outcome = inbound.ingest(raw_message(html.encode(), content_type="text/html"))
    assert outcome.outcome == "appended"
    body = last_reply().body
    assert "Still broken after the update." in body and "alert" not in body
    assert "<script" not in last_reply().body_html


def test_attachments_are_kept_with_the_same_limits(thread, app):
    boundary = "XYZ"
    parts = (f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
             "Here is the log.\r\n"
             f"--{boundary}\r\nContent-Type: text/plain\r\n"
             "Content-Disposition: attachment; filename*=UTF-8''%E3%83%AD%E3%82%B0.txt\r\n"
             "Content-Transfer-Encoding: base64\r\n\r\n"
             + base64.b64encode(b"line 1\nline 2\n").decode() + "\r\n"
             f"--{boundary}--\r\n").encode()
    raw = raw_message(b"", content_type=f'multipart/mixed; boundary="{boundary}"')
    raw = raw.replace(b"; charset=utf-8\r\nContent-Transfer-Encoding: 8bit", b"") + parts
    outcome = inbound.ingest(raw)
    assert outcome.outcome == "appended"
    attachment = Attachment.get()
    assert (attachment.filename, attachment.size) == ("ログ.txt", 14)
    assert last_reply().body == "Here is the log."


@pytest.mark.parametrize("sender", ["spy@rival.example", "nobody@nowhere.example",
                                    "member@acme.example"])
def test_a_sender_who_may_not_reply_is_rejected_and_logged(thread, sender):
    # Even with a reply address made out to them (say, from before they lost access).
    before = Message.select().count()
    outcome = inbound.ingest(raw_message(b"I am the requester, honest",
                                         sender=sender))
    assert outcome.outcome == "rejected"
    assert Message.select().count() == before
    log = InboundLog.get()
    assert (log.sender, log.outcome) == (sender, "rejected")


def test_staff_may_reply_by_mail(thread):
    factories.user("agent@help.example", role="agent")
    outcome = inbound.ingest(raw_message(b"We are on it.", sender="agent@help.example"))
    assert outcome.outcome == "appended"
    assert Ticket.get().status == "investigating"


def test_a_reply_to_a_closed_ticket_is_answered_and_does_not_reopen(thread):
    Ticket.update(status="closed").execute()
    Outbox.delete().execute()
    outcome = inbound.ingest(raw_message("まだ直りません".encode()))
    assert outcome.outcome == "answered"
    assert Ticket.get().status == "closed"
    assert Message.select().where(Message.body.contains("まだ直りません")).count() == 0
    answer = Outbox.get()
    assert "hanako@acme.example" in answer.to_address
    assert "続きのお問い合わせ" in answer.text_body


def test_the_reply_address_is_enough_without_threading_headers_or_subject(thread):
    outcome = inbound.ingest(raw_message(b"From my phone", in_reply_to="", subject="hello"))
    assert outcome.outcome == "appended" and outcome.ticket.number == 1


def test_auto_replies_are_ignored(thread):
    outcome = inbound.ingest(raw_message(b"I am on vacation",
                                         extra_headers="Auto-Submitted: auto-replied\r\n"))
    assert outcome.outcome == "ignored"
    assert Message.select().where(Message.body.contains("vacation")).count() == 0


def test_mail_ingest_reads_standard_input(thread, runner):
    result = runner.invoke(args=["mail-ingest"], input=raw_message(b"Sent through the pipe"))
    assert result.exit_code == 0 and "appended" in result.output
    assert last_reply().body == "Sent through the pipe"
