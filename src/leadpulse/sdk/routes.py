"""``GET /sdk/ls.js`` (minified) and ``GET /sdk/ls.src.js`` (readable source)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.responses import Response

from leadpulse.sdk.assets import CACHE_CONTROL, JAVASCRIPT, load_asset

router = APIRouter(prefix="/sdk", tags=["sdk"])
IfNoneMatch = Annotated[str | None, Header()]

_SCRIPT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/javascript": {}}, "description": "The script"}
}


def _serve(name: str, if_none_match: str | None) -> Response:
    asset = load_asset(name)
    headers = {
        "ETag": asset.etag,
        "Cache-Control": CACHE_CONTROL,
        # Script tags need no CORS, but Subresource Integrity (crossorigin=anonymous) does.
        "Access-Control-Allow-Origin": "*",
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    if asset.matches(if_none_match):
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type=JAVASCRIPT, headers=headers)


@router.get("/ls.js", summary="The website snippet (minified)", responses=_SCRIPT)
async def ls_js(if_none_match: IfNoneMatch = None) -> Response:
    """Serve the snippet that websites load with ``<script src=".../sdk/ls.js">``."""
    return _serve("ls.js", if_none_match)


@router.get("/ls.src.js", summary="The website snippet (readable source)", responses=_SCRIPT)
async def ls_src_js(if_none_match: IfNoneMatch = None) -> Response:
    """Serve the readable source of the snippet."""
    return _serve("ls.src.js", if_none_match)
