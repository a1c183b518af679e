"""Filing a ticket in a real browser: suggestions, preview, attachment, submit."""

from playwright.sync_api import expect

from portal import demo
from portal.kb.models import Deflection
from portal.tickets.models import Attachment, Ticket
from tests.browser.conftest import sign_in


def test_suggestions_preview_attachment_and_submit(live, page, tmp_path):
    before = Ticket.select().count()
    sign_in(page, live, "suzuki@acme.example", demo.PASSWORD)
    page.goto(f"{live}/tickets/new")
    page.select_option("#type", "incident")
    expect(page.locator("#occurred_at")).to_be_visible()
    expect(page.locator("#phone")).to_be_hidden()

    page.locator("#subject").press_sequentially("API がタイムアウトする", delay=30)
    expect(page.locator("#suggestions a").first).to_have_attribute("href", "/kb/api-timeout")

    page.check("input[name=severity][value='2']")
    page.fill("#occurred_at", "2026-11-20T09:30")
    page.select_option("#incident_state", "ongoing")
    page.fill("#description", "## 状況\n\n**全リクエスト**が 30 秒で失敗します。")
    page.click("button[name=preview]")
    expect(page.locator("#description-preview strong")).to_have_text("全リクエスト")

    log = tmp_path / "error.log"
    log.write_text("2026-11-20 09:30 timeout\n", encoding="utf-8")
    page.set_input_files("#attachments", str(log))
    page.click("form#ticket-form button.primary")

    expect(page.locator("h1")).to_have_text("API がタイムアウトする")
    expect(page.locator(".thread .files a")).to_contain_text("error.log")
    ticket = Ticket.select().order_by(Ticket.id.desc()).get()
    assert Ticket.select().count() == before + 1
    assert ticket.severity == 2 and ticket.type.code == "incident"
    assert Attachment.get(Attachment.ticket == ticket).filename == "error.log"


def test_switching_type_keeps_what_was_typed(live, page):
    sign_in(page, live, "suzuki@acme.example", demo.PASSWORD)
    page.goto(f"{live}/tickets/new?type=question")
    outline = page.locator("#description").input_value()
    page.select_option("#type", "incident")
    assert page.locator("#description").input_value() != outline  # untouched: swapped
    page.fill("#description", "自分で書いた説明")
    page.select_option("#type", "request")
    expect(page.locator("#description")).to_have_value("自分で書いた説明")


def test_this_answered_my_question_files_nothing(live, page):
    before = Ticket.select().count()
    sign_in(page, live, "suzuki@acme.example", demo.PASSWORD)
    page.goto(f"{live}/tickets/new")
    page.locator("#subject").press_sequentially("請求書が届かない", delay=30)
    first = page.locator("#suggestions li").first
    expect(first.locator("a")).to_have_attribute("href", "/kb/invoice-not-received")
    first.locator("form.answered button").click()
    expect(page.locator(".flash.success")).to_be_visible()
    expect(page).to_have_url(f"{live}/kb/invoice-not-received")
    assert Ticket.select().count() == before
    assert Deflection.get().query.startswith("請求書が届かない")
