"""The JavaScript files shipped inside the package, with their validators for caching."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from leadpulse.errors import NotFound

ASSET_DIR = Path(__file__).parent
SERVED = frozenset({"ls.js", "ls.src.js"})
JAVASCRIPT = "application/javascript; charset=utf-8"
# Browsers revalidate with the ETag after an hour, so a new release reaches sites quickly
# while most page loads cost nothing.
CACHE_CONTROL = "public, max-age=3600, stale-while-revalidate=86400"


@dataclass(frozen=True, slots=True)
class Asset:
    """One served file: its bytes and strong ETag."""

    name: str
    body: bytes
    etag: str

    def matches(self, if_none_match: str | None) -> bool:
        """Tell whether an ``If-None-Match`` header names this version."""
        if not if_none_match:
            return False
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or self.etag in tags


@cache
def load_asset(name: str) -> Asset:
    """Return a served SDK file (read once per process)."""
    if name not in SERVED:
        raise NotFound(f"no SDK file named {name!r}")
    path = ASSET_DIR / name
    if not path.is_file():
        raise NotFound(f"{name} is missing from this installation: run scripts/build-sdk.sh")
    body = path.read_bytes()
    return Asset(name=name, body=body, etag=f'"{hashlib.sha256(body).hexdigest()[:32]}"')
