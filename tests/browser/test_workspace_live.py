"""The agent's workspace in real browsers: collision notice, a queue that keeps up."""

import time

from playwright.sync_api import expect

from portal import demo
from portal.accounts.models import User
from tests import factories
from tests.browser.conftest import sign_in


def _agent(browser, live, email, locale):
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    sign_in(page, live, email, demo.PASSWORD)
    return context, page, errors


def test_two_agents_see_each_other_within_ten_seconds(live, browser):
    number = factories.ticket(User.get(User.email == "suzuki@acme.example"),
                              subject="二人で見るチケット").number
    hanako_ctx, hanako, errors_a = _agent(browser, live, "agent@madoguchi.example", "ja-JP")
    alex_ctx, alex, errors_b = _agent(browser, live, "alex@madoguchi.example", "en-US")
    hanako.goto(f"{live}/tickets/{number}")
    started = time.monotonic()
    alex.goto(f"{live}/tickets/{number}")
    expect(hanako.locator("#presence")).to_contain_text("Alex Morgan さんが閲覧中", timeout=10_000)
    expect(alex.locator("#presence")).to_contain_text("佐藤 花子 is viewing", timeout=10_000)
    assert time.monotonic() - started < 10
    alex.fill("#body", "Let me check the logs.")
    started = time.monotonic()
    expect(hanako.locator("#presence")).to_contain_text("Alex Morgan さんが返信を書いています",
                                                        timeout=10_000)
    assert time.monotonic() - started < 10
    assert errors_a == errors_b == []
    hanako_ctx.close()
    alex_ctx.close()


def test_new_ticket_appears_in_the_open_queue_keeping_ticks(live, browser):
    context, page, errors = _agent(browser, live, "agent@madoguchi.example", "ja-JP")
    page.goto(f"{live}/staff/?view=open")
    ticked = page.locator("#" + page.locator("input[name=tickets]").first.get_attribute("id"))
    ticked.check()
    page.evaluate("window.scrollTo(0, 120)")
    before = page.locator("[data-view=open] .count").inner_text()
    factories.ticket(User.get(User.email == "suzuki@acme.example"), subject="Brand new outage",
                     type_code="incident", severity=1, occurred_at="2026-11-30T09:00",
                     incident_state="ongoing")
    expect(page.locator("#queue-rows", has_text="Brand new outage")).to_be_visible(timeout=12_000)
    assert page.url.endswith("/staff/?view=open")  # no reload
    assert ticked.is_checked()  # the tick survived the refresh
    assert page.locator("[data-view=open] .count").inner_text() == str(int(before) + 1)
    assert errors == []
    context.close()
