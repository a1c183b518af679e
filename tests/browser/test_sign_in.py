"""A person signs in and switches language in a real browser."""

from playwright.sync_api import expect

from portal import demo
from tests.browser.conftest import sign_in


def test_sign_in_and_switch_language(live, page):
    sign_in(page, live, "yamada@acme.example", demo.PASSWORD)
    expect(page.locator("header .who")).to_have_text("山田 一郎")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("nav.main")).to_contain_text("ナレッジベース")

    page.click("form.lang button[value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("nav.main")).to_contain_text("Knowledge base")

    page.reload()  # remembered
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.click("form[action='/logout'] button")
    expect(page.locator("header .who")).to_have_count(0)
    expect(page.locator(".flash")).to_contain_text("signed out")


def test_wrong_password_shows_a_message_and_keeps_the_email(live, page):
    sign_in(page, live, "yamada@acme.example", "wrong-password")
    expect(page.locator(".alert.error")).to_contain_text("メールアドレスまたはパスワードが正しくありません")
    expect(page.locator("#email")).to_have_value("yamada@acme.example")
