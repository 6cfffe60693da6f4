"""The dashboard end to end: a real server, a real browser, the whole pipeline.

Sign up → Integrations shows the key → the Simulator sends page_view, signup and
demo_request for one visitor → the Leads page shows the lead at 75 / hot without a reload →
the drawer shows three timeline entries → page_view is raised to 10 points → rescore moves
the lead to 80 → CSV export downloads it.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from dashboard_support import PIPELINE_TIMEOUT_MS, post_event
from dashboard_support import nav as _nav
from dashboard_support import sign_up as _sign_up
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _send(page: Any, event_type: str, sent_before: int) -> None:
    page.get_by_label("Event type").fill(event_type)
    page.get_by_role("button", name="Send event").click()
    expect(page.get_by_test_id("sent-event")).to_have_count(sent_before + 1)


def test_landing_and_sign_in_pages_render(page: Any, screenshot: Any) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("hottest leads")
    screenshot(page, "01-landing")
    page.get_by_role("link", name="Sign in").first.click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Google"))).to_have_count(0)
    screenshot(page, "02-sign-in")


def test_bad_sign_in_shows_the_api_error(page: Any) -> None:
    page.goto("/signin")
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password").fill("wrong password here")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()


def test_full_flow_from_sign_up_to_csv_export(page: Any, screenshot: Any) -> None:
    _sign_up(page)
    page.evaluate("window.__noReload = true")
    screenshot(page, "03-dashboard-empty")

    _nav(page, "Integrations")
    expect(page.get_by_test_id("publishable-key")).to_have_text(re.compile(r"^pk_"))
    expect(page.get_by_label("Website snippet")).to_contain_text('data-api-key="pk_')
    screenshot(page, "04-integrations")

    _nav(page, "Simulator")
    visitor = f"visitor-e2e-{uuid.uuid4().hex[:6]}"
    page.get_by_label("Anonymous id").fill(visitor)
    for sent, event_type in enumerate(("page_view", "signup", "demo_request")):
        _send(page, event_type, sent)
    expect(page.get_by_test_id("simulator-score")).to_have_text("75", timeout=PIPELINE_TIMEOUT_MS)
    screenshot(page, "05-simulator")

    _nav(page, "Leads")
    row = page.locator("tbody tr").filter(has_text=visitor)
    expect(row.get_by_test_id("lead-score")).to_have_text("75", timeout=PIPELINE_TIMEOUT_MS)
    expect(row).to_contain_text("hot")
    screenshot(page, "06-leads")

    row.get_by_role("button", name=visitor).click()
    drawer = page.get_by_role("dialog", name="Lead details")
    expect(drawer.get_by_test_id("timeline-event")).to_have_count(3)
    expect(drawer.get_by_test_id("drawer-score")).to_have_text("75")
    screenshot(page, "07-lead-drawer")
    drawer.get_by_role("button", name="Close").click()

    _nav(page, "Scoring rules")
    page.get_by_test_id("rule-page_view").get_by_role("button", name="Edit Page view").click()
    editor = page.get_by_role("form", name="Save")
    editor.get_by_label("Points").fill("10")
    editor.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("rule-page_view")).to_contain_text("+10")
    page.get_by_role("button", name="Rescore all leads").click()
    expect(page.get_by_role("progressbar", name="Rescore progress")).to_have_attribute(
        "aria-valuenow", "100", timeout=PIPELINE_TIMEOUT_MS
    )
    screenshot(page, "08-rules")

    _nav(page, "Leads")
    expect(row.get_by_test_id("lead-score")).to_have_text("80", timeout=PIPELINE_TIMEOUT_MS)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("Name,Email,Company,Score,Stage")
    assert len(lines) == 2  # the one lead of this fresh account
    assert ",80,hot," in lines[1]

    _nav(page, "Dashboard")
    expect(page.get_by_text("Demo request").first).to_be_visible(timeout=PIPELINE_TIMEOUT_MS)
    page.wait_for_load_state("networkidle")
    screenshot(page, "09-dashboard-with-data")

    assert page.evaluate("window.__noReload") is True


def test_every_screen_renders_without_errors(page: Any, screenshot: Any) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _sign_up(page)
    screens = [
        ("Events", "10-events"),
        ("Automations", "11-automations"),
        ("Webhooks", "12-webhooks"),
        ("System health", "13-system"),
        ("Settings", "14-settings"),
        ("Dashboard", "15-dashboard"),
    ]
    for label, name in screens:
        _nav(page, label)
        expect(page.get_by_role("heading", level=1, name=label)).to_be_visible()
        page.wait_for_load_state("networkidle")
        screenshot(page, name)
    assert errors == []


def test_sign_out_returns_to_sign_in_and_guards_the_app(page: Any) -> None:
    _sign_up(page)
    _nav(page, "Settings")
    page.get_by_role("button", name="Sign out").first.click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto("/app/leads")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_expired_token_returns_to_sign_in_without_a_reload(page: Any) -> None:
    _sign_up(page)
    page.evaluate("window.__noReload = true")
    page.evaluate("localStorage.setItem('leadpulse.token', 'not-a-valid-token')")
    _nav(page, "Leads")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.evaluate("window.__noReload") is True


def test_phone_layout_collapses_the_sidebar(page: Any, screenshot: Any) -> None:
    _sign_up(page)
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    page.get_by_role("button", name="Open navigation").click()
    _nav(page, "Leads")
    expect(page.get_by_role("heading", level=1, name="Leads", exact=True)).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()  # the drawer closed
    screenshot(page, "16-phone-leads")


def test_events_stream_shows_new_events_without_reload(page: Any, screenshot: Any) -> None:
    _sign_up(page)
    _nav(page, "Events")
    expect(page.get_by_test_id("live-status")).to_have_text("Live")  # one indicator: the shell's
    expect(page.get_by_text("No events yet", exact=True)).to_be_visible()
    post_event(page, {"eventType": "pricing_page_visit", "anonymousId": "visitor-live-1"})
    row = page.get_by_test_id("event-row").filter(has_text="visitor-live-1")
    expect(row).to_contain_text("Pricing page visit")
    screenshot(page, "17-events-live")


def test_dark_mode_follows_the_system(chromium: Any, live_server: str, screenshot: Any) -> None:
    context = chromium.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 860}, color_scheme="dark"
    )
    try:
        page = context.new_page()
        _sign_up(page)
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background != "rgb(248, 250, 252)"  # not the light theme's slate-50
        screenshot(page, "18-dashboard-dark")
    finally:
        context.close()


def test_webhook_and_automation_forms_show_api_errors_and_create(
    page: Any, screenshot: Any
) -> None:
    _sign_up(page)
    _nav(page, "Webhooks")
    page.get_by_role("button", name="New webhook").click()
    dialog = page.get_by_role("dialog", name="New webhook")
    dialog.get_by_label("Endpoint URL").fill("ftp://example.com/hook")
    dialog.get_by_role("button", name="Create").click()
    expect(
        dialog.locator("#" + dialog.get_by_label("Endpoint URL").get_attribute("id") + "-error")
    ).to_be_visible()
    dialog.get_by_label("Endpoint URL").fill("http://127.0.0.1:9/leadpulse-hook")
    dialog.get_by_role("button", name="Create").click()
    expect(page.get_by_test_id("webhook-secret")).to_have_text(re.compile(r"^whsec_"))
    screenshot(page, "19-webhook-secret")
    page.get_by_role("button", name="Done").click()
    expect(
        page.get_by_role("cell", name="http://127.0.0.1:9/leadpulse-hook", exact=True)
    ).to_be_visible()

    _nav(page, "Automations")
    page.get_by_role("button", name="New automation").click()
    dialog = page.get_by_role("dialog", name="New automation")
    dialog.get_by_label("Name").fill("Log hot leads")
    dialog.get_by_label("Action").select_option("log")
    dialog.get_by_role("button", name="Create").click()
    expect(page.get_by_role("switch", name="Toggle Log hot leads")).to_be_checked()
    page.get_by_role("button", name="Edit Log hot leads").click()
    dialog = page.get_by_role("dialog", name="Edit automation")
    expect(dialog.get_by_label("Name")).to_have_value("Log hot leads")
    dialog.get_by_label("Name").fill("Log qualified leads")
    dialog.get_by_label("When stage becomes").select_option("qualified")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("switch", name="Toggle Log qualified leads")).to_be_visible()
    expect(page.get_by_text("When stage → qualified")).to_be_visible()
    screenshot(page, "20-automations-list")


def test_integrations_test_event_and_settings_save(page: Any) -> None:
    _sign_up(page)
    _nav(page, "Integrations")
    page.get_by_role("button", name="Send test event").click()
    expect(page.get_by_role("status").filter(has_text="Test event accepted")).to_be_visible()
    page.get_by_role("button", name="Create secret key").click()
    expect(page.get_by_test_id("secret-key")).to_have_text(re.compile(r"^sk_"))
    expect(page.get_by_label("Python example")).to_contain_text('Client("sk_')

    _nav(page, "Settings")
    page.get_by_label("Project name").fill("Renamed Project")
    page.get_by_label("Score lost per day (%)").fill("2.5")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status").filter(has_text="Project settings saved")).to_be_visible()
    sidebar = page.get_by_role("navigation", name="Main").locator("xpath=..")
    expect(sidebar).to_contain_text("Renamed Project")
    page.reload()
    expect(page.get_by_label("Score lost per day (%)")).to_have_value("2.5")


def test_leads_page_updates_live_while_open(page: Any) -> None:
    _sign_up(page)
    _nav(page, "Leads")
    expect(page.get_by_role("heading", level=1, name="Leads", exact=True)).to_be_visible()
    expect(page.get_by_text("No leads yet", exact=True)).to_be_visible()
    expect(page.get_by_test_id("live-status")).to_have_text("Live")
    for event_type in ("page_view", "signup", "demo_request"):
        post_event(page, {"eventType": event_type, "anonymousId": "visitor-open-page"})
    row = page.locator("tbody tr").filter(has_text="visitor-open-page")
    expect(row.get_by_test_id("lead-score")).to_have_text("75", timeout=PIPELINE_TIMEOUT_MS)
    expect(row).to_contain_text("hot")
