"""The API reference (/docs, /redoc) is served whole from this process: no CDN, licences kept.

The browser check with the network cut off is ``tests/e2e/test_cli_docs_browser.py``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite only: serving the reference does not touch the database."""
    target = tmp_path / "leadpulse.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


def _assets(html: str) -> list[str]:
    return ASSET.findall(html)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_reference_pages_load_every_asset_from_this_origin(
    client: httpx.AsyncClient, page: str
) -> None:
    response = await client.get(page)

    assert response.status_code == 200
    assets = _assets(response.text)
    assert assets, "the page names its script and style"
    assert all(a.startswith("/") and not a.startswith("//") for a in assets), assets
    assert "cdn.jsdelivr.net" not in response.text and "fonts.googleapis" not in response.text
    for asset in assets:
        fetched = await client.get(asset)
        assert fetched.status_code == 200, asset
        assert len(fetched.content) > 1000, asset


async def test_swagger_ui_points_at_the_schema_and_skips_the_online_validator(
    client: httpx.AsyncClient,
) -> None:
    html = (await client.get("/docs")).text

    assert "url: '/openapi.json'" in html
    assert '"validatorUrl": null' in html
    script = await client.get("/docs/swagger/swagger-ui-bundle.js")
    assert script.headers["content-type"].startswith(("text/javascript", "application/javascript"))


async def test_the_redoc_logo_comes_from_beside_the_page(client: httpx.AsyncClient) -> None:
    bundle = (await client.get("/redoc/redoc.standalone.js")).text

    assert "cdn.redoc.ly" not in bundle
    logo = await client.get("/redoc/logo-mini.svg")
    assert logo.status_code == 200 and logo.headers["content-type"].startswith("image/svg")


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/docs/swagger/LICENSE", "Apache License"),
        ("/redoc/redoc.standalone.js.LICENSE.txt", "ReDoc"),
    ],
)
async def test_the_bundled_assets_ship_with_their_licences(
    client: httpx.AsyncClient, path: str, words: str
) -> None:
    response = await client.get(path)

    assert response.status_code == 200
    assert words in response.text


async def test_the_reference_pages_stay_out_of_the_openapi_document(
    client: httpx.AsyncClient,
) -> None:
    paths: dict[str, Any] = (await client.get("/openapi.json")).json()["paths"]

    assert not [p for p in paths if p.startswith(("/docs", "/redoc"))]
    assert (await client.get("/docs/oauth2-redirect")).status_code == 200
