"""The served snippet: size budget, caching headers and presence in the package."""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import AsyncIterator
from importlib import resources

import httpx
import pytest
from fastapi import FastAPI

from leadpulse.sdk.routes import router

SIZE_BUDGET = 5120  # bytes, minified and gzipped (SPEC §7)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.include_router(router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def test_the_served_snippet_is_under_5_kb_gzipped(http: httpx.AsyncClient) -> None:
    response = await http.get("/sdk/ls.js")

    assert response.status_code == 200
    assert len(gzip.compress(response.content, compresslevel=9)) < SIZE_BUDGET


async def test_the_snippet_is_javascript_with_cache_validators(http: httpx.AsyncClient) -> None:
    response = await http.get("/sdk/ls.js")

    assert response.headers["content-type"].startswith("application/javascript")
    assert "max-age=" in response.headers["cache-control"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', response.headers["etag"])


async def test_an_unchanged_snippet_answers_304(http: httpx.AsyncClient) -> None:
    etag = (await http.get("/sdk/ls.js")).headers["etag"]

    again = await http.get("/sdk/ls.js", headers={"If-None-Match": etag})
    other = await http.get("/sdk/ls.js", headers={"If-None-Match": '"stale"'})

    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert other.status_code == 200


async def test_the_readable_source_is_served_too(http: httpx.AsyncClient) -> None:
    minified = await http.get("/sdk/ls.js")
    source = await http.get("/sdk/ls.src.js")

    assert source.status_code == 200
    assert source.headers["content-type"].startswith("application/javascript")
    assert len(source.content) > len(minified.content)
    assert source.headers["etag"] != minified.headers["etag"]


async def test_other_files_of_the_package_are_not_served(http: httpx.AsyncClient) -> None:
    assert (await http.get("/sdk/client.py")).status_code == 404
    assert (await http.get("/sdk/../sdk/routes.py")).status_code == 404


def test_the_package_ships_both_scripts() -> None:
    files = resources.files("leadpulse.sdk")
    assert files.joinpath("ls.js").is_file()
    assert files.joinpath("ls.src.js").is_file()


def test_the_minified_snippet_keeps_the_public_api_and_captures_no_values() -> None:
    minified = resources.files("leadpulse.sdk").joinpath("ls.js").read_text()
    for name in ("init", "track", "page", "identify", "reset", "flush"):
        assert re.search(rf"\b{name}:", minified), name
    assert "/api/ingest/batch" in minified
    assert "sendBeacon" in minified
    # the snippet reads no `.value` anywhere: form fields are reported by name only
    assert ".value" not in minified


def test_the_minified_snippet_is_the_build_of_its_source() -> None:
    files = resources.files("leadpulse.sdk")
    digest = hashlib.sha256(files.joinpath("ls.src.js").read_bytes()).hexdigest()[:16]
    banner = files.joinpath("ls.js").read_text().splitlines()[0]
    assert f"source sha256:{digest}" in banner, "ls.js is stale: run scripts/build-sdk.sh"
