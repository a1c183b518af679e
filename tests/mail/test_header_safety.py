"""No header ever carries a line break: subjects and names are cleaned where they come in."""

import pytest

from portal.accounts.models import Organization, User
from portal.cleaning import one_line
from portal.mail import inbound, sender
from portal.mail.models import InboundLog, Outbox
from portal.tickets.models import Ticket
from tests import factories
from tests.mail.test_ingest import raw_message, thread  # noqa: F401  (fixture)

BREAKS = ["\r\n", "\r", "\n", "\u2028", "\u2029", "\u0085", "\v", "\f", "\x00", "\x1b",
          "\t", "\x7f"]


@pytest.mark.parametrize("brk", BREAKS)
def test_every_line_break_and_control_character_becomes_a_space(brk):
    assert one_line(f"  Invoice{brk}Bcc: victim@example.com ") == \
        "Invoice Bcc: victim@example.com"


def test_what_people_write_is_otherwise_kept():
    assert one_line("山田\u3000花子") == "山田\u3000花子"  # a full-width space is text
    assert one_line("👩\u200d💻 Ops") == "👩\u200d💻 Ops"  # joiners make one emoji
    assert one_line("invoice\u202efdp.exe") == "invoicefdp.exe"  # no reordering on screen
    assert one_line("a   b") == "a b" and one_line(None) == ""
    assert one_line("bad \udcff byte") == "bad byte"  # undecodable command-line bytes


def test_a_subject_typed_with_line_breaks_is_stored_on_one_line(app, client, login, smtp):
    acme = factories.org("acme")
    factories.user("contact@acme.example", organization=acme)
    login("contact@acme.example")
    subject = "VPN down\r\nBcc: victim@example.com\u2028X-Evil: 1\u0085end\v"
    response = client.submit("/tickets/new", {"type": "question", "severity": "3",
                                              "subject": subject, "description": "Details."})
    assert response.status_code == 302
    assert Ticket.get().subject == "VPN down Bcc: victim@example.com X-Evil: 1 end"
    assert sender.send_due() == (1, 0)
    [mail] = smtp.inbox.messages
    assert mail["Subject"].endswith(": " + Ticket.get().subject)
    assert mail.get("Bcc") is None and mail.get("X-Evil") is None


def test_a_subject_of_control_characters_only_is_missing(app, client, login):
    acme = factories.org("acme")
    factories.user("contact@acme.example", organization=acme)
    login("contact@acme.example")
    page = client.submit("/tickets/new", {"type": "question", "severity": "3",
                                          "subject": "\r\n\u2028\x00", "description": "x"})
    assert page.status_code == 400 and "Please enter a subject." in page.get_data(as_text=True)
    assert Ticket.select().count() == 0


def test_names_from_the_command_line_are_cleaned(runner, smtp):
    done = runner.invoke(args=["create-org", "--name", "Acme\nX-Evil: 1", "--slug", "acme",
                               "--plan", "basic"])
    assert done.exit_code == 0, done.output
    done = runner.invoke(args=["create-user", "--email", "h@acme.example", "--name",
                               "Hanako\r\nBcc: victim@example.com", "--role", "customer",
                               "--org", "acme", "--password", "pw123456"])
    assert done.exit_code == 0, done.output
    assert Organization.get().name == "Acme X-Evil: 1"
    user = User.get()
    assert user.name == "Hanako Bcc: victim@example.com"
    factories.ticket(user)
    assert sender.send_due() == (1, 0)
    [mail] = smtp.inbox.messages
    assert mail.get("Bcc") is None and "\n" not in Outbox.get().to_address


def test_a_name_stored_before_cleaning_is_cleaned_on_the_way_out(app, smtp):
    user = factories.user("old@acme.example")
    User.update(name="Old\r\nBcc: victim@example.com").execute()
    factories.ticket(User.get_by_id(user.id), subject="x")
    assert sender.send_due() == (1, 0)
    assert smtp.inbox.messages[0].get("Bcc") is None


def test_a_mail_subject_is_logged_on_one_line(thread):  # noqa: F811
    raw = raw_message(b"x", to="support@help.example").replace(
        b"Subject: ", b"Subject: =?utf-8?b?TGluZSBvbmUKQmNjOiB4?=\r\n X", 1)
    inbound.ingest(raw)
    assert "\n" not in InboundLog.get().subject
    assert InboundLog.get().subject.startswith("Line one Bcc: x")
