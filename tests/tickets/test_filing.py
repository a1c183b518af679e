"""Filing a ticket: who may, what the form asks, what is stored."""

import io
from datetime import datetime

import pytest

from portal.db import db
from portal.tickets import filing
from portal.tickets.models import Attachment, Message, Participant, Ticket
from tests import factories
from tests.tickets.conftest import form_token, valid_form

MULTIPART = {"content_type": "multipart/form-data"}


def test_contact_files_and_is_redirected_to_the_ticket(people, client, login):
    login("contact@acme.example")
    response = client.submit("/tickets/new", valid_form(submission=form_token(client)))
    ticket = Ticket.get()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/tickets/{ticket.number}"
    assert (ticket.requester.email, ticket.created_by.email) == ("contact@acme.example",) * 2
    assert ticket.status == "new" and ticket.severity == ticket.priority == 3
    first = Message.get(Message.ticket == ticket)
    assert first.body == "The export has only a header row." and first.kind == "reply"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "MDG-1" in page and "CSV export is empty" in page


def test_org_admin_may_file(people, client, login):
    login("admin@acme.example")
    assert client.submit("/tickets/new", valid_form()).status_code == 302


def test_member_sees_how_to_get_the_right_and_cannot_post(people, client, login):
    login("member@acme.example")
    page = client.get("/tickets/new").get_data(as_text=True)
    assert "technical contact right" in page and 'name="subject"' not in page
    response = client.submit("/tickets/new", valid_form())
    assert response.status_code == 400
    assert Ticket.select().count() == 0


def test_staff_file_on_behalf_of_a_customer(people, client, login):
    login("agent@support.example")
    missing = client.submit("/tickets/new", valid_form())
    assert missing.status_code == 400 and "Choose the customer" in missing.get_data(as_text=True)
    client.submit("/tickets/new", valid_form(requester="contact@acme.example"))
    ticket = Ticket.get()
    assert ticket.requester.email == "contact@acme.example"
    assert ticket.created_by.email == "agent@support.example"
    assert ticket.organization.slug == "acme"


def test_org_admin_files_for_a_colleague_and_both_are_shown(people, client, login):
    login("admin@acme.example")
    response = client.submit("/tickets/new", valid_form(requester="member@acme.example"))
    ticket = Ticket.get()
    assert (ticket.requester.email, ticket.created_by.email) == (
        "member@acme.example", "admin@acme.example")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Opened by" in page


def test_a_contact_cannot_file_for_someone_else(people, client, login):
    login("contact@acme.example")
    response = client.submit("/tickets/new", valid_form(requester="admin@acme.example"))
    assert response.status_code == 400 and Ticket.select().count() == 0


def test_on_behalf_of_someone_outside_the_organization_is_refused(people, client, login):
    factories.user("stranger@other.example")
    login("admin@acme.example")
    response = client.submit("/tickets/new", valid_form(requester="stranger@other.example"))
    assert response.status_code == 400
    assert "not an active member" in response.get_data(as_text=True)


def test_types_come_from_the_plan(app, client, login):
    basic = factories.org("small", plan="basic")
    factories.user("c@small.example", organization=basic)
    login("c@small.example")
    page = client.get("/tickets/new").get_data(as_text=True)
    assert 'value="question"' in page and 'value="incident"' not in page
    response = client.submit("/tickets/new", valid_form(type="incident"))
    assert response.status_code == 400
    assert "type your plan offers" in response.get_data(as_text=True)


def test_premium_offers_callback_and_asks_for_a_phone(people, client, login):
    login("contact@acme.example")
    assert 'value="callback"' in client.get("/tickets/new").get_data(as_text=True)
    refused = client.submit("/tickets/new", valid_form(type="callback", phone="call me"))
    assert refused.status_code == 400 and "phone number" in refused.get_data(as_text=True)
    client.submit("/tickets/new", valid_form(type="callback", phone="+81 3-1234-5678"))
    assert Ticket.get().phone == "+81 3-1234-5678"


def test_trial_organizations_cannot_choose_a_severity(app, client, login):
    trial = factories.org("trial", plan="advanced", trial=True)
    factories.user("t@trial.example", organization=trial)
    login("t@trial.example")
    page = client.get("/tickets/new").get_data(as_text=True)
    assert 'type="radio" name="severity"' not in page and "set by your plan" in page
    client.submit("/tickets/new", valid_form(severity="1"))
    assert Ticket.get().severity == 3


def test_incident_asks_when_it_started_in_the_users_time_zone(people, client, login):
    login("contact@acme.example")
    form = client.get("/tickets/new?type=incident").get_data(as_text=True)
    assert 'name="occurred_at" type="datetime-local"' in form and "incident_state" in form
    client.submit("/tickets/new", valid_form(type="incident", occurred_at="2026-01-05T10:00",
                                             incident_state="ongoing"))
    ticket = Ticket.get()
    assert ticket.occurred_at == datetime(2026, 1, 5, 1, 0)  # 10:00 JST is 01:00 UTC
    assert ticket.incident_state == "ongoing"


def test_an_incident_may_be_filed_without_knowing_when_it_started(people, client, login):
    login("contact@acme.example")
    response = client.submit("/tickets/new", valid_form(type="incident"))
    assert response.status_code == 302
    assert Ticket.get().occurred_at is None


def test_odd_incident_details_are_refused(people, client, login):
    login("contact@acme.example")
    for changes, message in [({"occurred_at": "yesterday"}, "Please enter a date and time."),
                             ({"incident_state": "panic"}, "still happening")]:
        response = client.submit("/tickets/new", valid_form(type="incident", **changes))
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert Ticket.select().count() == 0


def test_occurred_at_in_the_future_is_refused(people, client, login):
    login("contact@acme.example")
    response = client.submit("/tickets/new", valid_form(
        type="incident", occurred_at="2999-01-01T00:00", incident_state="ongoing"))
    assert "cannot be in the future" in response.get_data(as_text=True)


@pytest.mark.parametrize("changes, field_message", [
    ({"subject": ""}, "Please enter a subject."),
    ({"subject": "   \u3000 "}, "Please enter a subject."),
    ({"subject": "x" * 201}, "The subject is too long"),
    ({"description": " \n\t "}, "Please describe your request."),
    ({"description": "x" * 50_001}, "The description is too long"),
    ({"severity": "7"}, "Please choose a severity."),
    ({"type": "nonsense"}, "Please choose a type"),
])
def test_errors_are_shown_and_everything_typed_is_kept(people, client, login, changes,
                                                       field_message):
    login("contact@acme.example")
    form = valid_form(type="incident", severity="2", description="私の説明 <b>そのまま</b>",
                      occurred_at="2026-01-05T10:00", incident_state="intermittent",
                      subject="件名はそのまま")
    form.update(changes)
    response = client.submit("/tickets/new", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_message in html
    assert Ticket.select().count() == 0
    if "description" not in changes:
        assert "私の説明 &lt;b&gt;そのまま&lt;/b&gt;" in html
    if "subject" not in changes:
        assert 'value="件名はそのまま"' in html
    if "severity" not in changes:
        assert 'value="2" checked' in html
    if "type" not in changes:
        assert 'value="incident" data-asks' in html and "selected>" in html
    assert 'value="2026-01-05T10:00"' in html
    assert '<option value="intermittent" selected>' in html


def test_untouched_outline_is_not_a_description(people, client, login):
    login("contact@acme.example")
    from portal.tickets.models import TicketType

    outline = TicketType.get(TicketType.code == "incident").template_en
    response = client.submit("/tickets/new", valid_form(
        type="incident", description=outline, occurred_at="2026-01-05T10:00",
        incident_state="ongoing"))
    assert "fill in the outline" in response.get_data(as_text=True)


def test_participants_from_the_organization(people, client, login):
    login("contact@acme.example")
    client.submit("/tickets/new", valid_form(
        participants=["admin@acme.example", "MEMBER@acme.example"]))
    names = {p.user.email for p in Participant.select()}
    assert names == {"admin@acme.example", "member@acme.example"}


def test_participant_outside_the_organization_is_refused(people, client, login):
    factories.user("spy@rival.example")
    login("contact@acme.example")
    response = client.submit("/tickets/new", valid_form(
        participants=["admin@acme.example, spy@rival.example", "nobody@nowhere.example"]))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Not a colleague in your organization: spy@rival.example, nobody@nowhere.example" in html
    assert Ticket.select().count() == 0


def test_submitting_twice_makes_one_ticket(people, client, login):
    login("contact@acme.example")
    form = valid_form(submission=form_token(client))
    first = client.submit("/tickets/new", form)
    second = client.submit("/tickets/new", form)
    assert first.headers["Location"] == second.headers["Location"]
    assert Ticket.select().count() == 1


def test_two_simultaneous_submits_make_one_ticket(people):
    import threading

    data = dict(type="question", severity="3", subject="Race", description="Twice",
                submission="same-token")
    results = []

    def submit():
        try:
            results.append(filing.file_ticket(people["contact"],
                                              filing.TicketInput(**data)).number)
        finally:
            db.close()  # each thread's own connection

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and Ticket.select().count() == 1


def test_numbers_are_sequential_and_never_reused(people):
    numbers = [factories.ticket(people["contact"]).number for _ in range(3)]
    assert numbers == [1, 2, 3]
    Ticket.get(Ticket.number == 3).delete_instance()
    assert factories.ticket(people["contact"]).number == 4


def test_prefixed_number_redirects_to_the_bare_one(people, client, login):
    factories.ticket(people["contact"])
    login("contact@acme.example")
    assert client.get("/tickets/MDG-1").headers["Location"] == "/tickets/1"
    assert client.get("/tickets/mdg-1").headers["Location"] == "/tickets/1"


def test_follow_up_of_a_closed_ticket(people, client, login):
    old = factories.ticket(people["contact"], subject="Old problem", type_code="request")
    login("contact@acme.example")
    refused = client.submit("/tickets/new", valid_form(follow_up=str(old.number)))
    assert "Only a closed ticket" in refused.get_data(as_text=True)
    Ticket.update(status="closed").where(Ticket.id == old.id).execute()
    form = client.get(f"/tickets/new?follow_up={old.number}").get_data(as_text=True)
    assert "continues MDG-1" in form and 'value="Follow-up: Old problem"' in form
    assert 'value="request" data-asks' in form
    response = client.submit("/tickets/new", valid_form(follow_up=str(old.number)))
    new = Ticket.get(Ticket.number == 2)
    assert new.follow_up_of_id == old.id
    assert "/tickets/1" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_attachments_are_stored_with_size_and_hash(people, client, login, app, tmp_path):
    login("contact@acme.example")
    files = [(io.BytesIO(b"first log"), "app.log"), (io.BytesIO("二つ目".encode()), "メモ.txt")]
    client.submit("/tickets/new", {**valid_form(), "attachments": files}, **MULTIPART)
    stored = list(Attachment.select().order_by(Attachment.id))
    assert [(a.filename, a.size) for a in stored] == [("app.log", 9), ("メモ.txt", 9)]
    import hashlib

    assert stored[0].sha256 == hashlib.sha256(b"first log").hexdigest()
    from portal.tickets.uploads import path_of

    path = path_of(stored[0].stored_name)
    assert path.read_bytes() == b"first log"
    assert str(path).startswith(app.config["UPLOAD_DIR"])
    assert "static" not in str(path) and "app.log" not in str(path)


def test_an_oversized_file_is_refused_and_nothing_is_kept(people, client, login, app):
    from pathlib import Path

    app.config["MAX_UPLOAD_MB"] = 1
    login("contact@acme.example")
    files = [(io.BytesIO(b"small"), "ok.txt"),
             (io.BytesIO(b"x" * (1024 * 1024 + 1)), "huge.log")]
    response = client.submit("/tickets/new", {**valid_form(subject="Keep me"),
                                              "attachments": files}, **MULTIPART)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "huge.log is larger than 1 MB" in html and 'value="Keep me"' in html
    assert Ticket.select().count() == 0 and Attachment.select().count() == 0
    assert not [p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()]


def test_files_together_over_the_ticket_limit_are_refused(people, client, login, app):
    app.config["MAX_UPLOAD_MB"], app.config["MAX_TICKET_UPLOAD_MB"] = 1, 1
    login("contact@acme.example")
    files = [(io.BytesIO(b"x" * 700_000), "a.log"), (io.BytesIO(b"y" * 700_000), "b.log")]
    response = client.submit("/tickets/new", {**valid_form(), "attachments": files},
                             **MULTIPART)
    assert "limit for one ticket" in response.get_data(as_text=True)
    assert Ticket.select().count() == 0


def test_a_body_over_the_request_limit_is_refused_before_it_is_read(people, client, login,
                                                                   app):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    login("contact@acme.example")
    files = [(io.BytesIO(b"z" * (2 * 1024 * 1024)), "big.bin")]
    response = client.submit("/tickets/new", {**valid_form(), "attachments": files},
                             **MULTIPART)
    assert response.status_code == 413
    assert "larger than the portal accepts" in response.get_data(as_text=True)


def test_programs_cannot_be_attached(people, client, login):
    login("contact@acme.example")
    files = [(io.BytesIO(b"MZ"), "setup.EXE")]
    response = client.submit("/tickets/new", {**valid_form(), "attachments": files},
                             **MULTIPART)
    assert "cannot be attached: setup.EXE" in response.get_data(as_text=True)


@pytest.mark.parametrize("raw, clean", [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\win.ini", "win.ini"),
    ("report\x00.pdf", "report.pdf"),
    ("line\r\nbreak.txt", "linebreak.txt"),
    ("\u202eexe.txt", "exe.txt"),
    ("", "attachment"),
    ("...", "attachment"),
    ("請求書 2026年11月.pdf", "請求書 2026年11月.pdf"),
])
def test_file_names_are_kept_only_as_clean_data(raw, clean):
    from portal.tickets.uploads import clean_filename

    assert clean_filename(raw) == clean


@pytest.mark.parametrize("name", [
    "setup.iso", "snapin.msc", "invoice.pdf.exe", "run.js", "page.hta", "shortcut.lnk",
    "drawing.svg", "page.html", "macro.docm", "disk.img", "script.ps1", "Makefile",
    "report.PDF .scr", "trailing-dot.exe.",
])
def test_only_kinds_people_send_to_support_can_be_attached(people, client, login, name):
    login("contact@acme.example")
    files = [(io.BytesIO(b"MZ payload"), name), (io.BytesIO(b"fine"), "notes.txt")]
    form = valid_form(description="My own words stay here.")
    response = client.submit("/tickets/new", {**form, "attachments": files}, **MULTIPART)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "cannot be attached:" in html and name.strip(". ")[:12] in html
    assert "notes.txt" not in html.split("cannot be attached:")[1].split(".")[0]
    assert "My own words stay here." in html
    assert Ticket.select().count() == 0 and Attachment.select().count() == 0


@pytest.mark.parametrize("name", ["trace.har", "capture.pcap", "logs.7z", "sheet.xlsx",
                                  "server.log", "shot.JPEG", "dump.tar.gz", "notes.md"])
def test_support_files_are_accepted(people, client, login, name):
    login("contact@acme.example")
    files = [(io.BytesIO(b"content"), name)]
    response = client.submit("/tickets/new", {**valid_form(), "attachments": files},
                             **MULTIPART)
    assert response.status_code == 302
    assert Attachment.get().filename == name


def test_a_refused_kind_on_a_reply_keeps_the_draft(people, client, login):
    login("contact@acme.example")
    client.submit("/tickets/new", valid_form())
    number = Ticket.get().number
    files = [(io.BytesIO(b"x"), "tool.msc")]
    response = client.submit(f"/tickets/{number}/messages",
                             {"body": "Draft I typed", "attachments": files}, **MULTIPART)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "cannot be attached: tool.msc" in html and "Draft I typed" in html
    assert Message.select().count() == 1


def test_filing_confirms_what_happens_next(people, client, login):
    login("contact@acme.example")
    response = client.submit("/tickets/new", valid_form())
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your request MDG-1 was sent." in page
    assert "A confirmation was e-mailed to contact@acme.example." in page
    due = Ticket.get(Ticket.number == 1).first_response_due  # the default premium policy
    assert due is not None and "We will answer by" in page
    assert "was sent" not in client.get(response.headers["Location"]).get_data(as_text=True)
