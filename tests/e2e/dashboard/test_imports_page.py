"""The Imports page end to end: a real ``leadpulse serve`` (the import runs in its embedded
worker), a real browser uploading a small CSV, the progress bar polled to 100 % and the bad
row listed with its line and reason; the Inbound sources page previews a mapping."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
IMPORT_TIMEOUT_MS = 30_000
CSV = """event,timestamp,email,plan
signup,2024-01-01T10:00:00Z,ana@example.com,pro
page_view,2024-01-02T10:00:00Z,ana@example.com,pro
page_view,yesterday,bo@example.com,free
demo_request,2024-01-04T10:00:00Z,bo@example.com,free
"""


def _sign_up(page: Any) -> None:
    page.goto("/signup")
    page.get_by_label("Name").fill("Ivo Importer")
    page.get_by_label("Work email").fill(f"imp-{uuid.uuid4().hex[:10]}@example.com")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def _nav(page: Any, label: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=label).click()


def test_uploaded_csv_reaches_100_percent_and_lists_the_rejected_row(
    page: Any, tmp_path: Path, screenshot: Any
) -> None:
    _sign_up(page)
    _nav(page, "Imports")
    expect(page.get_by_role("heading", name="Imports", exact=True)).to_be_visible()
    file = tmp_path / "history.csv"
    file.write_text(CSV)
    page.get_by_label("File").set_input_files(str(file))
    page.get_by_role("button", name="Import").click()

    progress = page.get_by_role("progressbar", name="Import progress")
    expect(progress).to_have_attribute("aria-valuenow", "100", timeout=IMPORT_TIMEOUT_MS)
    expect(page.get_by_test_id("import-counts")).to_contain_text("3 stored")
    rejected = page.get_by_role("table", name="Rejected rows")
    expect(rejected.get_by_role("row")).to_have_count(2)  # the header and line 4
    expect(rejected).to_contain_text("4")
    expect(rejected).to_contain_text("timestamp")
    screenshot(page, "imports-finished")


def test_inbound_source_mapping_is_previewed_before_saving(page: Any, screenshot: Any) -> None:
    _sign_up(page)
    _nav(page, "Inbound sources")
    page.get_by_label("Name").fill("Billing")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text('"eventType": "demo_request"')).to_be_visible()
    page.get_by_label("Event type path").fill("data.type")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("sample.data.type")).to_be_visible()
    page.get_by_label("Event type path").fill("data.kind")
    page.get_by_role("button", name="Save source").click()
    expect(page.get_by_text("Signing secret (shown once)")).to_be_visible()
    expect(page.get_by_text("POST /api/inbound/", exact=False).first).to_be_visible()
    screenshot(page, "inbound-source-saved")
