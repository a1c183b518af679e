"""Replies by mail, from the attacker's side: only an answer to our own mail, sent by the
person it went to, is added to a ticket."""

import re

import pytest

from portal.mail import inbound, sender, tokens
from portal.mail.models import InboundLog, Outbox
from portal.tickets import lifecycle
from portal.tickets.models import Message, Ticket
from tests import factories
from tests.mail.test_ingest import raw_message


@pytest.fixture
def cast(app):
    app.config.update(MAIL_FROM="support@help.example", BASE_URL="https://help.example")
    acme = factories.org("acme", plan="premium")
    people = {
        "hanako": factories.user("hanako@acme.example", organization=acme, locale="ja"),
        "john": factories.user("john@acme.example", organization=acme, org_role="org_admin"),
        "agent": factories.user("agent@help.example", role="agent"),
    }
    factories.ticket(people["hanako"], subject="VPN が切れる", participants=["john@acme.example"])
    factories.ticket(people["hanako"], subject="請求書")
    return people


def state() -> tuple:
    """Everything a forged mail could change."""
    tickets = [(t.status, t.first_response_at, t.updated_at)
               for t in Ticket.select().order_by(Ticket.id)]
    return Message.select().count(), Outbox.select().count(), tickets


def address(person, number: int) -> str:
    return tokens.reply_address(number, person.id)


def test_a_forged_staff_mail_changes_nothing(cast):
    before = state()
    outcome = inbound.ingest(raw_message(
        b"Fixed, closing.", sender="agent@help.example", subject="Re: [MDG-2] 請求書",
        in_reply_to="<ticket-2@help.example>", to="support@help.example"))
    assert outcome.outcome == "rejected" and "no reply token" in outcome.detail
    assert state() == before  # no message, no first response, no status, no mail
    assert InboundLog.get().outcome == "rejected"


def test_a_forged_customer_mail_is_refused_without_an_answer(cast):
    before = state()
    outcome = inbound.ingest(raw_message(b"Please send the invoice to evil@example.com",
                                         subject="Re: [MDG-2] 請求書", to="support@help.example"))
    assert outcome.outcome == "rejected"
    assert state() == before  # not even a "we refused your mail" (backscatter)


def test_a_token_changed_to_another_ticket_does_not_verify(cast):
    genuine = address(cast["hanako"], 1)
    moved = genuine.replace("+t1.", "+t2.", 1)
    before = state()
    outcome = inbound.ingest(raw_message(b"to the other ticket", to=moved,
                                         subject="Re: [MDG-2] 請求書"))
    assert (outcome.outcome, outcome.detail) == ("rejected", "reply token does not verify")
    assert state() == before


def test_the_token_not_the_subject_decides_the_ticket(cast):
    outcome = inbound.ingest(raw_message(b"about ticket one", to=address(cast["hanako"], 1),
                                         subject="Re: [MDG-2] 請求書",
                                         in_reply_to="<ticket-2@help.example>"))
    assert outcome.outcome == "appended" and outcome.ticket.number == 1
    assert Message.get(Message.body == "about ticket one").ticket.number == 1


def test_a_token_of_another_recipient_is_refused(cast):
    before = state()
    johns = address(cast["john"], 1)
    outcome = inbound.ingest(raw_message(b"I am John's mail", to=johns))
    assert (outcome.outcome, outcome.detail) == ("rejected",
                                                 "the reply token was given to someone else")
    # Nor can the user id in it be changed to the sender's.
    swapped = johns.replace(f".{cast['john'].id}.", f".{cast['hanako'].id}.", 1)
    assert inbound.ingest(raw_message(b"swapped", to=swapped)).detail == \
        "reply token does not verify"
    assert state() == before


def test_staff_need_the_token_too(cast):
    before = state()
    plain = inbound.ingest(raw_message(b"We are on it.", sender="agent@help.example",
                                       to="support@help.example"))
    assert plain.outcome == "rejected" and state() == before
    tokened = inbound.ingest(raw_message(b"We are on it.", sender="agent@help.example",
                                         to=address(cast["agent"], 1)))
    assert tokened.outcome == "appended"
    assert Ticket.get(Ticket.number == 1).status == "investigating"


def test_case_and_width_of_the_addresses_do_not_matter(cast):
    to = address(cast["hanako"], 1).upper()
    outcome = inbound.ingest(raw_message(b"shouting", sender="HANAKO@ACME.EXAMPLE", to=to))
    assert outcome.outcome == "appended"


def test_the_token_may_come_in_delivered_to_or_cc(cast):
    to = address(cast["hanako"], 1)
    via_cc = inbound.ingest(raw_message(b"cc", to="someone@acme.example",
                                        extra_headers=f"Cc: {to}\r\n"))
    via_delivered = inbound.ingest(raw_message(
        b"delivered", to="support@help.example", extra_headers=f"Delivered-To: {to}\r\n"))
    assert via_cc.outcome == via_delivered.outcome == "appended"


def test_two_from_addresses_are_refused(cast):
    raw = raw_message(b"two of us").replace(
        b"From: Hanako <hanako@acme.example>",
        b"From: hanako@acme.example, agent@help.example")
    assert inbound.ingest(raw).outcome == "rejected"
    assert Message.select().where(Message.body == "two of us").count() == 0


AR_FAIL = ("Authentication-Results: mx.help.example; spf=pass smtp.mailfrom=acme.example;"
           " dkim=none; dmarc=fail (p=reject dis=none) header.from=acme.example\r\n")
AR_PASS_FORGED = ("Authentication-Results: mx.help.example; dmarc=pass"
                  " header.from=acme.example\r\n")


def test_dmarc_fail_from_our_server_is_refused_even_with_a_token(cast):
    before = state()
    # The topmost header is our server's; a "pass" further down was written by the sender.
    outcome = inbound.ingest(raw_message(b"spoofed", extra_headers=AR_FAIL + AR_PASS_FORGED))
    assert outcome.outcome == "rejected" and "DMARC failed" in outcome.detail
    assert state() == before


def test_dmarc_pass_and_none_are_accepted(cast):
    passed = AR_FAIL.replace("dmarc=fail", "dmarc=pass")
    nothing = "Authentication-Results: mx.help.example; dmarc=none header.from=acme.example\r\n"
    assert inbound.ingest(raw_message(b"one", extra_headers=passed)).outcome == "appended"
    assert inbound.ingest(raw_message(b"two", extra_headers=nothing)).outcome == "appended"


def test_with_an_authserv_id_only_its_headers_count(cast, app):
    app.config["MAIL_AUTHSERV_ID"] = "mx.help.example"
    forged_first = ("Authentication-Results: evil.example; dmarc=pass\r\n" + AR_FAIL)
    assert "DMARC failed" in inbound.ingest(
        raw_message(b"a", extra_headers=forged_first)).detail
    missing = inbound.ingest(raw_message(b"b", extra_headers="Authentication-Results:"
                                                              " evil.example; dmarc=pass\r\n"))
    assert (missing.outcome, missing.detail) == (
        "rejected", "no Authentication-Results from mx.help.example")
    ours = AR_FAIL.replace("dmarc=fail", "dmarc=pass")
    assert inbound.ingest(raw_message(b"c", extra_headers=ours)).outcome == "appended"


def test_every_notification_carries_its_recipients_reply_address(cast, smtp):
    lifecycle.post_message(cast["agent"], Ticket.get(Ticket.number == 1), "Please restart.")
    rows = {re.search(r"<(.+)>", r.to_address)[1]: r for r in
            Outbox.select().where(Outbox.text_body.contains("restart"))}
    assert set(rows) == {"hanako@acme.example", "john@acme.example"}
    assert rows["hanako@acme.example"].reply_to == address(cast["hanako"], 1)
    assert rows["john@acme.example"].reply_to == address(cast["john"], 1)
    sender.send_due()
    mail = next(m for m in smtp.inbox.messages
                if "hanako@" in str(m["To"]) and "restart" in m.get_body(("plain",)).get_content())
    assert mail["Reply-To"] == address(cast["hanako"], 1)
    assert re.fullmatch(r"support\+t1\.\d+\.[0-9a-f]{20}@help\.example", str(mail["Reply-To"]))
    # Answering that very mail is accepted.
    reply = raw_message(b"Restarted, works.", to=str(mail["Reply-To"]),
                        subject=f"Re: {mail['Subject']}", in_reply_to=mail["Message-ID"])
    assert inbound.ingest(reply).outcome == "appended"


def test_another_secret_key_makes_other_addresses(cast, app):
    before = address(cast["hanako"], 1)
    app.config["SECRET_KEY"] = "another-secret"
    assert address(cast["hanako"], 1) != before
    assert inbound.ingest(raw_message(b"old address", to=before)).outcome == "rejected"
