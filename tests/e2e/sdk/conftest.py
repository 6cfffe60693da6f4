"""Fixtures of the SDK end-to-end tests: ``leadpulse serve``, a site on another origin, Chromium.

Everything is real: the API process (SQLite in a temp data dir, worker in-process), plain
HTTP servers on 127.0.0.1 and headless Chromium driven by playwright.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sdk_e2e_support import CHROMIUM, CHROMIUM_ARGS, IN_CI, Account, ApiServer, Site


def _started(root: Path) -> Iterator[ApiServer]:
    server = ApiServer(root)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    """One ``leadpulse serve`` shared by a test module."""
    yield from _started(tmp_path_factory.mktemp("serve"))


@pytest.fixture
def own_api_server(tmp_path: Path) -> Iterator[ApiServer]:
    """A ``leadpulse serve`` for one test (which may stop and restart it)."""
    yield from _started(tmp_path)


@pytest.fixture
def account(api_server: ApiServer) -> Account:
    """A fresh project on the shared server."""
    return Account(api_server)


@pytest.fixture
def site() -> Iterator[Site]:
    website = Site()
    yield website
    website.close()


# --- the browser ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's package; ``scripts/ensure-chromium.sh`` installs it)."""
    if shutil.which(CHROMIUM) is None:
        message = f"{CHROMIUM} is missing: run scripts/ensure-chromium.sh"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    tab = context.new_page()
    yield tab
    context.close()
