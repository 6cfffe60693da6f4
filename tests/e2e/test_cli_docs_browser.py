"""The API reference renders in a browser that cannot reach anything but 127.0.0.1.

A real ``leadpulse serve`` and Debian's headless Chromium; every request to another host is
aborted, as on a machine without internet. Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from cli_e2e_support import Served, serving

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(tmp_path_factory.mktemp("docs-offline")) as server:
        yield server


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Headless Chromium (module-scoped: sync Playwright holds this thread's event loop)."""
    if not CHROMIUM.exists():
        reason = f"Chromium at {CHROMIUM} (make chromium installs it)"
        if IN_CI:
            pytest.fail(f"browser tests need {reason} under CI=true", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


class OfflinePage:
    """A page whose requests to any host but 127.0.0.1 are aborted (and remembered)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.blocked: list[str] = []
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def route(self, route: Any) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()


@pytest.fixture
def offline(chromium: Any, served: Served) -> Iterator[OfflinePage]:
    context = chromium.new_context(base_url=served.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = OfflinePage(context.new_page())
    context.route("**/*", page.route)
    try:
        yield page
    finally:
        context.close()


def _screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_swagger_ui_lists_the_operations_without_a_network(offline: OfflinePage) -> None:
    page = offline.page
    page.goto("/docs")

    page.locator(".opblock").first.wait_for(state="visible")
    _screenshot(page, "docs-offline-swagger")
    assert page.locator(".opblock").count() > 20
    assert page.locator(".opblock-summary-path", has_text="/api/auth/register").count() == 1
    assert page.locator(".opblock-tag", has_text="auth").count() >= 1
    assert offline.blocked == []
    assert offline.errors == []


def test_redoc_renders_the_reference_without_a_network(offline: OfflinePage) -> None:
    page = offline.page
    page.goto("/redoc")

    page.get_by_role("heading", name="LeadPulse API").first.wait_for(state="visible")
    page.locator("h2", has_text="Register").first.wait_for(state="attached")
    _screenshot(page, "docs-offline-redoc")
    assert page.locator(".menu-content li").count() > 20
    assert offline.blocked == []
    assert offline.errors == []
