"""Two people on one ticket in two browsers: replies appear, status changes show."""

from playwright.sync_api import expect

from portal import demo
from portal.accounts.models import User
from tests import factories
from tests.browser.conftest import sign_in


def test_reply_appears_in_place_and_reaches_the_agent_by_polling(live, browser):
    customer_user = User.get(User.email == "suzuki@acme.example")
    number = factories.ticket(customer_user, subject="レポートが表示されない").number

    customer_ctx = browser.new_context(locale="ja-JP")
    agent_ctx = browser.new_context(locale="ja-JP")
    customer, agent = customer_ctx.new_page(), agent_ctx.new_page()
    for page in (customer, agent):
        page.set_default_timeout(15_000)
    sign_in(customer, live, "suzuki@acme.example", demo.PASSWORD)
    sign_in(agent, live, "agent@madoguchi.example", demo.PASSWORD)
    customer.goto(f"{live}/tickets/{number}")
    agent.goto(f"{live}/tickets/{number}")

    customer.fill("#body", "昨日から**全員**が見られません。")
    customer.click("#reply-form button.primary")
    expect(customer.locator("#thread li strong", has_text="全員")).to_be_visible()
    expect(customer.locator("#body")).to_have_value("")
    assert customer.url == f"{live}/tickets/{number}"  # no reload, no redirect

    expect(agent.locator("#thread li", has_text="昨日から")).to_be_visible()  # by polling

    agent.select_option("#status-control", "investigating")
    agent.click(f"form[action='/tickets/{number}/status'] button")
    expect(agent.locator("#ticket-head .badge.status-investigating")).to_be_visible()

    expect(customer.locator("#ticket-head .badge.status-investigating")).to_be_visible()
    expect(customer.locator("#thread li.event").last).to_contain_text("調査中")
    customer_ctx.close()
    agent_ctx.close()


def test_internal_note_stays_with_staff(live, browser):
    number = factories.ticket(User.get(User.email == "suzuki@acme.example"),
                              subject="Note test").number
    agent_ctx, customer_ctx = browser.new_context(), browser.new_context()
    agent, customer = agent_ctx.new_page(), customer_ctx.new_page()
    sign_in(agent, live, "agent@madoguchi.example", demo.PASSWORD)
    sign_in(customer, live, "suzuki@acme.example", demo.PASSWORD)
    agent.goto(f"{live}/tickets/{number}")
    customer.goto(f"{live}/tickets/{number}")
    agent.fill("#body", "only for us")
    agent.check("#reply-form input[name=internal]")
    agent.click("#reply-form button.primary")
    expect(agent.locator("#thread li.note")).to_contain_text("only for us")
    agent.fill("#body", "public words")
    agent.click("#reply-form button.primary")
    expect(customer.locator("#thread li", has_text="public words")).to_be_visible(timeout=15_000)
    expect(customer.locator("#thread")).not_to_contain_text("only for us")
    agent_ctx.close()
    customer_ctx.close()
