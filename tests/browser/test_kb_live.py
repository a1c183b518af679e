"""Live search, feedback and the editor's preview work in a real browser."""

import re

from playwright.sync_api import expect

from portal import demo
from tests.browser.conftest import sign_in


def test_typing_in_the_search_box_updates_results_and_url(live, page):
    page.goto(f"{live}/kb/search")
    page.locator("#q").press_sequentially("請求", delay=50)
    expect(page.locator("#results a.title").first).to_have_attribute(
        "href", "/kb/invoice-not-received")
    expect(page).to_have_url(re.compile(r"/kb/search\?q=%E8%AB%8B%E6%B1%82$"))

    page.locator("#q").fill("")
    page.locator("#q").press_sequentially("ＳＳＯ", delay=50)
    expect(page.locator("#results a.title").first).to_have_attribute("href", "/kb/sso-saml-setup")
    expect(page.locator("#results mark").first).to_have_text(re.compile("sso", re.I))


def test_home_search_shows_live_results(live, page):
    page.goto(live)
    page.locator("#hero-q").press_sequentially("ログインできない", delay=40)
    expect(page.locator("#live-results a.title").first).to_have_attribute(
        "href", "/kb/login-trouble")


def test_feedback_is_swapped_in_place(live, page):
    page.goto(f"{live}/kb/api-timeout")
    page.click("#feedback button[value=yes]")
    expect(page.locator("#feedback .thanks")).to_be_visible()
    expect(page).to_have_url(f"{live}/kb/api-timeout")


def test_editor_preview_renders_markdown(live, page):
    sign_in(page, live, "agent@madoguchi.example", demo.PASSWORD)
    page.goto(f"{live}/staff/kb/new")
    page.fill("#title", "プレビューの確認")
    page.locator("#body").press_sequentially("## 見出し\n\n- 項目", delay=10)
    expect(page.locator("#preview h2")).to_have_text("見出し")
    expect(page.locator("#preview li")).to_have_text("項目")
    page.click("form.editor button[type=submit]")
    expect(page.locator(".flash.success")).to_be_visible()
