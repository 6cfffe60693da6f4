"""A new user's first hour, in a real browser against ``leadpulse serve`` on 127.0.0.1.

Sign up → the empty dashboard shows the first-run panel (key, snippet, Simulator, commands)
→ the Simulator sends page_view as an anonymous visitor, then signup with an e-mail and
demo_request → every number a newcomer reads is right: the dashboard counts 1 lead, 1
identified and 0 merges; the leads list shows 75 / hot with velocity 3 on a 0–10 bar; the
drawer shows velocity 3/10, 3 events in 24 h and a score chart with dates and the stage lines;
the Events page names the visitor by e-mail on every row, the anonymous first one included.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from dashboard_support import PIPELINE_TIMEOUT_MS, nav, sign_up
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
DEFAULT_PORT = 4000


def _send(page: Any, event_type: str, email: str = "") -> None:
    before = page.get_by_test_id("sent-event").count()
    page.get_by_label("Event type").fill(event_type)
    page.get_by_label("Email (optional — identifies the visitor)").fill(email)
    page.get_by_role("button", name="Send event").click()
    expect(page.get_by_test_id("sent-event")).to_have_count(before + 1)


def _first_run_panel(page: Any) -> None:
    panel = page.get_by_test_id("first-run")
    expect(panel).to_be_visible()
    key = page.get_by_test_id("first-run-key").inner_text()
    assert re.fullmatch(r"pk_\S+", key), key
    expect(page.get_by_label("First-run website snippet")).to_contain_text(
        f'/sdk/ls.js" data-api-key="{key}"'
    )
    expect(panel).to_contain_text(re.compile(r"leadpulse import FILE --project \d+"))
    expect(panel).to_contain_text("leadpulse demo")
    expect(panel.get_by_role("link", name="Imports page")).to_have_attribute("href", "/app/imports")
    expect(page.get_by_test_id("metric-total-leads")).to_contain_text("0 identified · 0 merges")


def _simulate(page: Any, visitor: str, email: str) -> None:
    page.get_by_role("link", name=re.compile("Send a test event")).click()
    expect(page.get_by_role("heading", level=1, name="Simulator")).to_be_visible()
    page.get_by_label("Anonymous id").fill(visitor)
    _send(page, "page_view")
    _send(page, "signup", email)
    _send(page, "demo_request", email)
    expect(page.get_by_test_id("simulator-score")).to_have_text("75", timeout=PIPELINE_TIMEOUT_MS)


def _dashboard_numbers(page: Any) -> None:
    nav(page, "Dashboard")
    total = page.get_by_test_id("metric-total-leads")
    expect(total).to_contain_text("1 identified · 0 merges", timeout=PIPELINE_TIMEOUT_MS)
    expect(total.locator("p").nth(1)).to_have_text("1")
    expect(page.get_by_test_id("first-run")).to_have_count(0)


def _leads_row(page: Any, email: str) -> None:
    nav(page, "Leads")
    row = page.locator("tbody tr").filter(has_text=email)
    expect(row.get_by_test_id("lead-score")).to_have_text("75", timeout=PIPELINE_TIMEOUT_MS)
    expect(row).to_contain_text("hot")
    bar = row.get_by_role("meter", name="Velocity")
    expect(bar).to_have_attribute("aria-valuemax", "10")
    expect(bar).to_have_attribute("aria-valuenow", "3")
    expect(bar.locator("div")).to_have_attribute("style", re.compile(r"width: 30%"))
    row.get_by_role("button", name=email).click()


def _drawer(page: Any) -> None:
    drawer = page.get_by_role("dialog", name="Lead details")
    expect(drawer.get_by_test_id("drawer-score")).to_have_text("75")
    velocity = drawer.locator("dl div").filter(has=page.get_by_text("Velocity", exact=True))
    expect(velocity.locator("dd")).to_have_text("3/10")
    events = drawer.locator("dl div").filter(has=page.get_by_text("Events (24 h)", exact=True))
    expect(events.locator("dd")).to_have_text("3")
    chart = drawer.get_by_role("img", name=re.compile("Score over time"))
    month = datetime.now().astimezone().strftime("%b")  # the browser's zone is this machine's
    ticks = chart.locator(".recharts-cartesian-axis-tick-value")  # x: dates, y: scores
    expect(ticks.filter(has_text=re.compile(rf"^{month} \d+, \d\d:\d\d"))).not_to_have_count(0)
    expect(chart.locator(".recharts-reference-line")).to_have_count(3)
    for label in ("warm", "hot", "qualified"):
        expect(chart.get_by_text(re.compile(rf"^{label} \d+$"))).to_be_visible()


def _events_page(page: Any, email: str) -> None:
    nav(page, "Events")
    rows = page.get_by_test_id("event-row")
    expect(rows).to_have_count(3)
    for i in range(3):
        expect(rows.nth(i).get_by_role("link")).to_have_text(email)
    expect(page.get_by_test_id("live-status")).to_have_count(1)


def test_first_hour_from_sign_up_to_correct_numbers(
    page: Any, live_server: str, screenshot: Any
) -> None:
    address = urlsplit(live_server)
    assert address.hostname == "127.0.0.1" and address.port != DEFAULT_PORT
    visitor = f"visitor-first-{uuid.uuid4().hex[:6]}"
    email = f"{visitor}@example.com"

    sign_up(page)
    _first_run_panel(page)
    screenshot(page, "21-first-run")
    _simulate(page, visitor, email)
    _dashboard_numbers(page)
    _leads_row(page, email)
    _drawer(page)
    screenshot(page, "22-first-hour-drawer")
    page.get_by_role("dialog", name="Lead details").get_by_role("button", name="Close").click()
    _events_page(page, email)
