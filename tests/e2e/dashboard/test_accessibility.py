"""axe-core finds no WCAG 2 A/AA violation on any dashboard page, in light and dark mode.

The signed-in pages are the main navigation's links, read from the sidebar, so a page added
to the navigation is checked without touching this test. The project has a scored,
identified lead first (lists, charts and badges rendered, not only empty states), and the
lead drawer, the create dialogs and the first-run panel of an empty project are checked too.
Along the way no page may send a GET the API refuses (an undeclared query parameter).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from axe_support import describe, violations
from dashboard_support import PIPELINE_TIMEOUT_MS, post_event, sign_up
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
SCHEMES = ["light", "dark"]


def _assert_clean(page: Any, where: str, found: dict[str, str]) -> None:
    page.wait_for_load_state("networkidle")
    result = violations(page)
    if result:
        found[where] = describe(result)


def _nav_links(page: Any) -> list[tuple[str, str]]:
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    return [
        (links.nth(i).inner_text().strip(), links.nth(i).get_attribute("href"))
        for i in range(links.count())
    ]


@pytest.fixture(params=SCHEMES)
def scheme_page(request: Any, chromium: Any, live_server: str) -> Any:
    context = chromium.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 860}, color_scheme=request.param
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    refused: list[str] = []
    page.on("response", lambda r: _note_refused(r, refused))
    try:
        yield page
        # Every page's GETs name only declared query parameters (no cache-busters).
        assert refused == []
    finally:
        context.close()


def _note_refused(response: Any, refused: list[str]) -> None:
    request = response.request
    if request.method == "GET" and "/api/" in request.url and response.status == 422:
        refused.append(request.url)


def test_public_pages_have_no_wcag_violations(scheme_page: Any) -> None:
    page, found = scheme_page, {}
    for path in ("/", "/signin", "/signup"):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        _assert_clean(page, path, found)
    assert not found, "\n".join(f"{where}:\n{text}" for where, text in found.items())


def test_every_dashboard_page_has_no_wcag_violations(scheme_page: Any) -> None:
    page, found = scheme_page, {}
    sign_up(page)
    expect(page.get_by_test_id("first-run")).to_be_visible()
    _assert_clean(page, "dashboard (first run)", found)

    visitor = f"visitor-a11y-{uuid.uuid4().hex[:6]}"
    email = f"{visitor}@example.com"
    for event_type in ("page_view", "signup", "demo_request"):
        post_event(page, {"eventType": event_type, "anonymousId": visitor, "email": email})
    page.goto("/app/leads")
    expect(page.get_by_test_id("lead-score").first).to_have_text("75", timeout=PIPELINE_TIMEOUT_MS)

    links = _nav_links(page)
    assert len(links) >= 10
    for label, href in links:
        page.goto(href)
        expect(page.get_by_role("heading", level=1, name=label)).to_be_visible()
        _assert_clean(page, label, found)

    page.goto("/app/leads")
    page.locator("tbody tr").first.get_by_role("button").first.click()
    drawer = page.get_by_role("dialog", name="Lead details")
    expect(drawer.get_by_test_id("timeline-event").first).to_be_visible()
    expect(drawer.get_by_role("img", name="Score over time")).to_be_visible()
    _assert_clean(page, "lead drawer", found)
    drawer.get_by_role("button", name="Close").click()

    for path, button in (("/app/webhooks", "New webhook"), ("/app/automations", "New automation")):
        page.goto(path)
        page.get_by_role("button", name=button).click()
        expect(page.get_by_role("dialog", name=button)).to_be_visible()
        _assert_clean(page, f"{button} dialog", found)

    assert not found, "\n".join(f"{where}:\n{text}" for where, text in found.items())
