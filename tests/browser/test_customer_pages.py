"""Every customer page in both languages, at phone and desktop width: nothing scrolls
sideways, nothing breaks the CSP, and axe-core finds no serious or critical problem.

One browser, one signed-in context per language, pages reused across widths.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal import demo
from portal.kb.models import Category
from portal.tickets.models import Ticket
from tests.browser.conftest import sign_in

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
WIDTHS = (360, 1280)
# The rules of WCAG 2.2 A/AA (what JIS X 8341-3 asks for) and axe's best practices.
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"],
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                                    "best-practice"]}});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => v.id + ": " + v.help + " — "
         + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
}"""
# Registered before any page script: the browser reports each CSP violation here.
WATCH_CSP = """window.__csp = [];
document.addEventListener("securitypolicyviolation", e =>
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline")));"""


def _pages(base: str) -> dict[str, str]:
    ticket = Ticket.select().order_by(Ticket.id).first()
    category = Category.select().where(Category.count_ja + Category.count_en > 0).first()
    return {"home": "/", "kb list": "/kb/", "category": f"/kb/category/{category.key}",
            "article": "/kb/api-timeout",
            "search results": "/kb/search?q=API", "search without result": "/kb/search?q=zzqqxx",
            "new request": "/tickets/new", "my requests": "/tickets/",
            "thread": f"/tickets/{ticket.number}", "account": "/account",
            "rating": f"/tickets/{ticket.number}/satisfaction?rating=good"}


def _check(page, name: str, width: int) -> list[str]:
    problems = []
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > width:
        problems.append(f"{name} at {width}px scrolls sideways ({wide}px)")
    page.evaluate(AXE)  # evaluated by the test driver, not a script the page's CSP governs
    problems += [f"{name} at {width}px: {v}" for v in page.evaluate(AXE_RUN)]
    problems += [f"{name} at {width}px CSP: {v}" for v in page.evaluate("window.__csp")]
    return problems


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_every_customer_page_fits_keeps_the_csp_and_passes_axe(browser, live, locale):
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and not msg.text.startswith(
        "Failed to load resource") and errors.append(msg.text))  # a 422 is asserted below
    try:
        sign_in(page, live, "suzuki@acme.example", demo.PASSWORD)
        page.click(f"form.lang button[value={locale}]")
        page.wait_for_load_state()
        problems: list[str] = []
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            for name, path in _pages(live).items():
                page.goto(live + path)
                assert page.locator("html").get_attribute("lang") == locale
                problems += _check(page, name, width)
        # The first htmx actions on a ticket page: a refused empty reply, then a preview.
        page.goto(live + _pages(live)["thread"])
        page.click("#reply-form button.primary")
        expect(page.locator("#reply-error")).not_to_be_empty()
        page.fill("#body", "**ok**")
        page.click("#reply-form button[hx-post]")
        expect(page.locator("#reply-preview strong")).to_have_text("ok")
        page.click("#reply-form button.primary")  # a later action succeeds: the error goes
        expect(page.locator("#thread li strong", has_text="ok")).to_be_visible()
        expect(page.locator("#reply-error")).to_be_empty()
        problems += [f"thread after htmx CSP: {v}" for v in page.evaluate("window.__csp")]
        assert problems == [], json.dumps(problems, ensure_ascii=False, indent=1)
        assert errors == [], errors
    finally:
        context.close()


def test_on_a_phone_typing_a_subject_shows_suggestions_in_view(browser, live):
    context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    try:
        sign_in(page, live, "suzuki@acme.example", demo.PASSWORD)
        page.goto(f"{live}/tickets/new")
        page.locator("#subject").press_sequentially("API がタイムアウトする", delay=20)
        first = page.locator("#suggestions a").first
        expect(first).to_have_attribute("href", "/kb/api-timeout")
        box = first.bounding_box()
        height = page.evaluate("window.innerHeight")
        assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= height, box
    finally:
        context.close()
