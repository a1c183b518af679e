"""An org admin invites a colleague; the colleague joins from the mailed link, is made a
technical contact and files a ticket. Mail goes through a real SMTP server on loopback."""

import re

import pytest
from playwright.sync_api import expect

from portal import demo
from portal.mail import sender
from portal.tickets.models import Ticket
from tests.browser.conftest import serving, sign_in
from tests.mail.conftest import SMTPServer, free_port


@pytest.fixture
def live_with_mail(tmp_path):
    """The demo portal on a free port, sending to an SMTP server on loopback."""
    smtp = SMTPServer(free_port())
    smtp.start()
    try:
        with serving(tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_TLS="none",
                     MAIL_FROM="support@help.example") as (_, base):
            yield base, smtp
    finally:
        smtp.stop()


def test_invite_accept_promote_and_file(live_with_mail, page, browser):
    base, smtp = live_with_mail
    sign_in(page, base, "yamada@acme.example", demo.PASSWORD)
    page.goto(f"{base}/org/members")
    page.fill("#email", "Sato@Acme.example")
    page.select_option("#org_role", "member")
    page.click("#invite button[type=submit]")
    expect(page.locator(".flash.success")).to_contain_text("sato@acme.example")

    assert sender.send_due() == (1, 0)
    mail = smtp.inbox.messages[-1]
    assert mail["To"].addresses[0].addr_spec == "sato@acme.example"
    link = re.search(r"(http://127\.0\.0\.1:\d+/invite/\S+)",
                     mail.get_body(("plain",)).get_content())[1]

    colleague = browser.new_context(locale="ja-JP").new_page()
    colleague.goto(link)
    expect(colleague.locator("#email")).to_have_value("sato@acme.example")
    colleague.fill("#name", "佐藤 三郎")
    colleague.fill("#password", "sato-secret-2026")
    colleague.click("form button[type=submit]")
    expect(colleague.locator("a.who")).to_have_text("佐藤 三郎")
    assert colleague.locator("nav.main a[href='/tickets/new']").count() == 0  # a member

    page.goto(f"{base}/org/members")
    row = page.locator(".member", has_text="sato@acme.example")
    row.locator("select[name=org_role]").select_option("contact")
    row.locator(".role-form button").click()
    expect(page.locator(".member", has_text="sato@acme.example").locator(".badge.role-contact")
           ).to_be_visible()

    colleague.goto(f"{base}/tickets/new")
    colleague.select_option("#type", "question")
    colleague.fill("#subject", "招待されたので質問します")
    colleague.check("input[name=severity][value='3']")
    colleague.fill("#description", "ストレージの容量を増やす方法を教えてください。")
    colleague.click("form#ticket-form button.primary")
    expect(colleague.locator("h1")).to_have_text("招待されたので質問します")
    ticket = Ticket.select().order_by(Ticket.id.desc()).get()
    assert ticket.requester.email == "sato@acme.example"

    # the link was spent: opening it again says so
    colleague.context.clear_cookies()
    colleague.goto(link)
    expect(colleague.locator(".alert.error")).to_be_visible()
    colleague.context.close()
