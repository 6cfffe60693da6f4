"""Fixtures for the dashboard tests: a built web app, a real ``leadpulse serve`` and Chromium.

Browser tests (``@pytest.mark.browser``) build ``web/dist`` (skipped when fresh), start the
embedded server on a free port with a throw-away data dir and drive Debian's headless
Chromium at ``/usr/bin/chromium``. Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_SECONDS = 30


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"browser tests need {reason} under CI=true", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite only: the dashboard's serving does not depend on the database."""
    target = tmp_path / "leadpulse.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture(scope="session")
def web_dist() -> Path:
    """``web/dist``, built by scripts/build-web.sh (which skips a fresh build)."""
    if shutil.which("npm") is None:
        _unavailable("Node.js/npm to build the dashboard")
    result = subprocess.run(
        ["bash", str(REPO / "scripts" / "build-web.sh")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"dashboard build failed:\n{result.stdout}\n{result.stderr}", pytrace=False)
    dist = REPO / "web" / "dist"
    assert (dist / "index.html").is_file()
    return dist


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"leadpulse serve exited early:\n{log.read_text()[-4000:]}", pytrace=False)
        try:
            httpx.get(f"{base_url}/api/health", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)  # the server process is still binding its port
    pytest.fail(f"leadpulse serve did not answer in time:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def live_server(web_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a real ``leadpulse serve`` (SQLite, embedded worker) serving the build."""
    data = tmp_path_factory.mktemp("serve-data")
    port = _free_port()
    env = {
        **os.environ,
        "LEADPULSE_ENV": "test",
        "LEADPULSE_RATE_LIMIT_ENABLED": "false",
        "LEADPULSE_LOG_JSON": "false",
        "LEADPULSE_WEBHOOKS_ALLOW_PRIVATE": "true",
        "LEADPULSE_DASHBOARD_DIR": str(web_dist),
    }
    # The default allow-list (localhost:4000, :5173): the dashboard's own origin, on this
    # random port, is accepted because it is the same origin (live.origins).
    env.pop("LEADPULSE_CORS_ORIGINS", None)
    env.pop("LEADPULSE_DATABASE_URL", None)
    env.pop("LEADPULSE_REDIS_URL", None)
    log = data / "serve.log"
    leadpulse = Path(sys.executable).with_name("leadpulse")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(leadpulse), "serve", "--port", str(port), "--data-dir", str(data)],
            cwd=data,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url, process, log)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless Chromium (Debian's) driven by Playwright.

    Module-scoped: sync Playwright keeps an event loop running in this thread, which would
    break later ``asyncio.run()`` calls (e.g. session fixtures of async tests).
    """
    if not CHROMIUM.exists():
        _unavailable(f"Chromium at {CHROMIUM} (scripts/ensure-chromium.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Any, live_server: str) -> Iterator[Any]:
    """A fresh browser page (own cookies and storage) at the live server."""
    context = chromium.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 860}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="session")
def screenshot() -> Any:
    """Save a full-page screenshot as test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
