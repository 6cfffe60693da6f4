"""The API serves the dashboard build at / without shadowing the API, docs or SDK."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from leadpulse.api import web
from leadpulse.api.app import create_app

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
INDEX = (
    "<!doctype html><html><head>"
    '<meta name="leadpulse-google-client-id" content="" />'
    "</head><body><div id=root></div></body></html>"
)


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """A minimal build: index.html, one hashed asset and a root file."""
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    (root / "assets" / "index-abc123.js").write_text("console.log('lp')")
    (root / "favicon.svg").write_text("<svg/>")
    return root


async def _client(container: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(container, auto_migrate=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


@pytest.fixture
async def built(container: Any, settings: Any, dist: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app whose dashboard_dir holds a build."""
    settings.dashboard_dir = dist
    settings.google_client_id = "client-123.apps.googleusercontent.com"
    async for c in _client(container):
        yield c


@pytest.fixture
async def unbuilt(
    container: Any, settings: Any, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app whose dashboard_dir does not exist."""
    settings.dashboard_dir = tmp_path / "missing"
    async for c in _client(container):
        yield c


async def test_root_serves_index_html_without_caching(built: httpx.AsyncClient) -> None:
    response = await built.get("/", headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<div id=root>" in response.text
    assert response.headers["cache-control"] == "no-cache"


async def test_client_side_routes_fall_back_to_index_html(built: httpx.AsyncClient) -> None:
    for path in ("/app", "/app/leads/42", "/signin", "/some/deep/link?x=1"):
        response = await built.get(path, headers=HTML)
        assert response.status_code == 200, path
        assert "<div id=root>" in response.text, path


async def test_hashed_assets_are_cached_for_a_year(built: httpx.AsyncClient) -> None:
    response = await built.get("/assets/index-abc123.js")
    assert response.status_code == 200
    assert response.text == "console.log('lp')"
    assert response.headers["cache-control"] == web.ASSET_CACHE


async def test_missing_asset_is_404_not_index_html(built: httpx.AsyncClient) -> None:
    response = await built.get("/assets/gone-000.js", headers=HTML)
    assert response.status_code == 404


async def test_root_files_of_the_build_are_served(built: httpx.AsyncClient) -> None:
    response = await built.get("/favicon.svg", headers={"Accept": "image/*"})
    assert response.status_code == 200
    assert response.text == "<svg/>"


async def test_unknown_api_path_is_problem_json_404_even_for_browsers(
    built: httpx.AsyncClient,
) -> None:
    for method in ("GET", "POST", "DELETE"):
        response = await built.request(method, "/api/no-such-thing", headers=HTML)
        assert response.status_code == 404, method
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["status"] == 404


async def test_api_docs_and_schema_are_not_shadowed(built: httpx.AsyncClient) -> None:
    assert (await built.get("/openapi.json", headers=HTML)).json()["openapi"]
    docs = await built.get("/docs", headers=HTML)
    assert docs.status_code == 200
    assert "<div id=root>" not in docs.text
    health = await built.get("/api/health", headers=HTML)
    assert health.headers["content-type"].startswith("application/json")


async def test_non_html_requests_to_unknown_paths_are_404(built: httpx.AsyncClient) -> None:
    response = await built.get("/app/leads", headers={"Accept": "application/json"})
    assert response.status_code == 404


async def test_writes_to_client_routes_are_not_answered_with_html(
    built: httpx.AsyncClient,
) -> None:
    response = await built.post("/app/leads", headers=HTML)
    assert response.status_code in (404, 405)
    assert "<div id=root>" not in response.text


async def test_path_traversal_cannot_escape_the_build(built: httpx.AsyncClient, dist: Path) -> None:
    (dist.parent / "secret.txt").write_text("top secret")
    response = await built.get("/../secret.txt", headers={"Accept": "text/plain"})
    assert "top secret" not in response.text
    response = await built.get("/%2e%2e/secret.txt", headers=HTML)
    assert "top secret" not in response.text


async def test_google_client_id_is_injected_for_the_sign_in_button(
    built: httpx.AsyncClient,
) -> None:
    response = await built.get("/signin", headers=HTML)
    assert 'content="client-123.apps.googleusercontent.com"' in response.text


async def test_without_a_build_root_explains_how_to_get_the_dashboard(
    unbuilt: httpx.AsyncClient,
) -> None:
    response = await unbuilt.get("/", headers=HTML)
    assert response.status_code == 200
    assert "Dashboard not built" in response.text
    assert "make run" in response.text


async def test_without_a_build_the_api_still_works(unbuilt: httpx.AsyncClient) -> None:
    assert (await unbuilt.get("/api/no-such-thing")).status_code == 404
    register = await unbuilt.post(
        "/api/auth/register",
        json={"email": "nobuild@example.com", "password": "correct horse battery", "name": "N"},
    )
    assert register.status_code == 201


def test_default_dashboard_dir_is_web_dist_of_the_checkout() -> None:
    expected = Path(__file__).resolve().parents[3] / "web" / "dist"
    assert web.default_dashboard_dir() == expected
