"""Notifications: written with the change, sent once, in each recipient's language."""

from datetime import timedelta

import pytest

from portal import clock
from portal.mail import sender
from portal.mail.models import Outbox
from portal.tickets import lifecycle
from tests import factories


@pytest.fixture
def cast(app):
    acme = factories.org("acme", plan="premium")
    return {
        "ja": factories.user("hanako@acme.example", organization=acme, locale="ja"),
        "en": factories.user("john@acme.example", organization=acme, org_role="org_admin",
                             locale="en"),
        "agent": factories.user("agent@help.example", role="agent", locale="en"),
        "admin": factories.user("boss@help.example", role="admin", locale="ja"),
    }


def _to(address_part: str) -> list[Outbox]:
    return list(Outbox.select().where(Outbox.to_address.contains(address_part)))


def test_filing_tells_requester_and_copied_colleagues_in_their_language(cast, smtp):
    ticket = factories.ticket(cast["ja"], subject="請求書が届かない",
                              participants=["john@acme.example"])
    ja, en = _to("hanako@"), _to("john@")
    assert len(ja) == len(en) == 1
    assert ja[0].subject == "[MDG-1] お問い合わせを受け付けました: 請求書が届かない"
    assert "MDG-1" in ja[0].text_body and "受け付けました" in ja[0].text_body
    assert en[0].subject.startswith("[MDG-1] We received your request")
    assert "https://help.example/tickets/1" in en[0].text_body
    assert ticket.number == 1


def test_staff_reply_reaches_customers_and_notes_reach_nobody(cast, smtp):
    ticket = factories.ticket(cast["ja"], participants=["john@acme.example"])
    Outbox.delete().execute()
    lifecycle.post_message(cast["agent"], ticket, "SECRET internal detail", internal=True)
    assert Outbox.select().count() == 0
    lifecycle.post_message(cast["agent"], ticket, "Please restart the **agent**.")
    mails = {m.to_address.split("<")[1].rstrip(">") for m in Outbox.select()}
    assert mails == {"hanako@acme.example", "john@acme.example"}
    assert all("SECRET" not in m.text_body + m.html_body for m in Outbox.select())
    assert "<strong>agent</strong>" in _to("john@")[0].html_body


def test_customer_reply_goes_to_the_assignee_or_all_agents(cast, smtp):
    ticket = factories.ticket(cast["ja"])
    Outbox.delete().execute()
    lifecycle.post_message(cast["ja"], ticket, "追加情報です")
    assert {m.to_address.split("<")[1].rstrip(">") for m in Outbox.select()} == {
        "agent@help.example", "boss@help.example"}
    Outbox.delete().execute()
    lifecycle.assign(cast["agent"], ticket, "agent@help.example")
    lifecycle.post_message(cast["ja"], ticket, "もう一つ")
    assert [m.to_address for m in Outbox.select()] == ["Staff User <agent@help.example>"]


def test_status_changes_that_concern_the_customer(cast, smtp):
    ticket = factories.ticket(cast["ja"])
    Outbox.delete().execute()
    lifecycle.change_status(cast["agent"], ticket, "investigating")
    assert Outbox.select().count() == 0
    lifecycle.change_status(cast["agent"], ticket, "waiting_on_customer")
    lifecycle.change_status(cast["agent"], ticket, "resolved")
    subjects = [m.subject for m in Outbox.select().order_by(Outbox.id)]
    assert subjects[0].startswith("[MDG-1] ご返信をお願いします")
    assert subjects[1].startswith("[MDG-1] 解決しました")


def test_escalation_tells_the_admins(cast, smtp):
    ticket = factories.ticket(cast["en"])
    Outbox.delete().execute()
    lifecycle.escalate(cast["en"], ticket, "Whole office is down")
    mail = Outbox.get()
    assert "boss@help.example" in mail.to_address and "Whole office is down" in mail.text_body


def test_people_can_turn_off_mail_about_their_own_activity(cast, smtp):
    from portal.accounts.services import update_preferences

    update_preferences(cast["ja"], "ja", "Asia/Tokyo", notify_own=False)
    factories.ticket(type(cast["ja"]).get_by_id(cast["ja"].id))
    assert _to("hanako@") == []


def test_nothing_is_queued_for_a_rolled_back_change(cast, smtp):
    from portal.db import transaction

    ticket = factories.ticket(cast["ja"])
    Outbox.delete().execute()
    with pytest.raises(RuntimeError):
        with transaction():
            lifecycle.post_message(cast["agent"], ticket, "will vanish")
            raise RuntimeError("crash before commit")
    assert Outbox.select().count() == 0


def test_sent_once_with_threading_headers(cast, smtp):
    factories.ticket(cast["ja"], subject="日本語の件名")
    assert sender.send_due() == (1, 0)
    assert sender.send_due() == (0, 0)
    [mail] = smtp.inbox.messages
    assert mail["Subject"] == "[MDG-1] お問い合わせを受け付けました: 日本語の件名"
    assert mail["In-Reply-To"] == "<ticket-1@help.example>"
    assert mail["Message-ID"] == Outbox.get().message_id
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail.get_body(("plain",)).get_content().startswith("鈴木") is False
    assert "MDG-1" in mail.get_body(("plain",)).get_content()
    assert mail.get_body(("html",)) is not None


def test_fifty_replies_wait_for_a_stopped_server_then_arrive_once(cast, smtp, frozen):
    ticket = factories.ticket(cast["ja"])
    lifecycle.assign(cast["agent"], ticket, "agent@help.example")
    sender.send_due()
    smtp.inbox.messages.clear()
    smtp.stop()
    for i in range(50):
        lifecycle.post_message(cast["ja"], ticket, f"reply {i}")
    sent, failed = sender.send_due()
    assert (sent, failed) == (0, 50)
    pending = Outbox.select().where(Outbox.sent_at.is_null())
    assert pending.count() == 50 and all(m.last_error for m in pending)
    smtp.start()
    assert sender.send_due() == (0, 0)  # still backing off
    frozen(minutes=2)
    assert sender.send_due() == (50, 0)
    frozen(hours=2)
    assert sender.send_due() == (0, 0)
    bodies = sorted(m.get_body(("plain",)).get_content() for m in smtp.inbox.messages)
    assert len(bodies) == 50
    assert len({m["Message-ID"] for m in smtp.inbox.messages}) == 50


def test_a_sender_that_died_mid_batch_does_not_send_twice(cast, smtp, frozen):
    for i in range(3):
        factories.ticket(cast["en"], subject=f"Ticket {i}")
    rows = list(Outbox.select().order_by(Outbox.id))
    # A sender sent the first and had claimed the second when it died.
    Outbox.update(sent_at=clock.now()).where(Outbox.id == rows[0].id).execute()
    Outbox.update(claimed_until=clock.now() + timedelta(minutes=5)).where(
        Outbox.id == rows[1].id).execute()
    assert sender.send_due() == (1, 0)  # only the third: the claim still holds
    frozen(minutes=6)
    assert sender.send_due() == (1, 0)
    subjects = sorted(str(m["Subject"]) for m in smtp.inbox.messages)
    assert subjects == [f"[MDG-{n}] We received your request: Ticket {n - 1}" for n in (2, 3)]


def test_mail_worker_once(cast, smtp, runner):
    factories.ticket(cast["en"])
    result = runner.invoke(args=["mail-worker", "--once"])
    assert result.exit_code == 0 and "sent 1, failed 0" in result.output


def test_nobody_of_a_deactivated_organization_is_mailed(cast, smtp):
    from portal.accounts.services import deactivate_org

    ticket = factories.ticket(cast["ja"], participants=["john@acme.example"])
    Outbox.delete().execute()
    deactivate_org("acme")
    lifecycle.post_message(cast["agent"], ticket, "An answer nobody at Acme may read now")
    lifecycle.change_status(cast["agent"], ticket, "resolved")
    assert Outbox.select().count() == 0


def test_a_deactivated_user_is_not_mailed(cast, smtp):
    from portal.accounts.services import set_user_active

    ticket = factories.ticket(cast["ja"], participants=["john@acme.example"])
    Outbox.delete().execute()
    set_user_active("john@acme.example", False)
    lifecycle.post_message(cast["agent"], ticket, "Only Hanako hears this")
    assert [m.to_address.split("<")[1].rstrip(">") for m in Outbox.select()] == [
        "hanako@acme.example"]
