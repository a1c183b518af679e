"""An agent watches a ticket's first response come due, then finds it in the breached view."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from portal import clock, demo
from portal.accounts.models import User
from tests import factories
from tests.browser.conftest import sign_in

START = datetime(2027, 1, 18, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo")).astimezone(UTC)


@pytest.fixture
def frozen():
    clock.freeze(START.replace(tzinfo=None))
    yield
    clock.freeze(None)


def test_countdown_then_breach_then_the_breached_view(live, page, frozen):
    customer = User.get(User.email == "suzuki@acme.example")  # Premium: 15 min, 24/7
    number = factories.ticket(customer, subject="本番環境が停止", type_code="incident",
                              severity=1).number
    sign_in(page, live, "agent@madoguchi.example", demo.PASSWORD)
    page.goto(f"{live}/tickets/{number}")
    due = page.locator('#sla time[data-sla="first_response"]')
    expect(due).to_have_attribute("data-state", "pending")
    expect(due).to_have_attribute("datetime", "2027-01-18T10:15:00+09:00")
    expect(page.locator("#sla")).to_contain_text("残り 15分")

    clock.freeze((START + timedelta(minutes=47)).replace(tzinfo=None))
    # No reload: the section fetches itself again while a clock runs.
    expect(due).to_have_attribute("data-state", "breached", timeout=15_000)
    expect(page.locator("#sla")).to_contain_text("32分 超過")

    page.goto(f"{live}/staff/?sla=breached")
    row = page.locator("table.queue tr", has_text="本番環境が停止")
    expect(row).to_be_visible()
    expect(row.locator('time[data-sla="first_response"]')).to_have_attribute(
        "data-state", "breached")
    page.goto(f"{live}/staff/?sla=at_risk")
    expect(page.locator("table.queue")).not_to_contain_text("本番環境が停止")
