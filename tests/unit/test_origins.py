"""``allowedOrigins`` entries: web origins in the form browsers send (issue §4.11)."""

from __future__ import annotations

import pytest

from leadpulse.projects.origins import normalise_origin


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("https://shop.example", "https://shop.example"),
        ("HTTPS://Shop.Example/", "https://shop.example"),
        ("https://shop.example:443", "https://shop.example"),
        ("http://shop.example:80", "http://shop.example"),
        ("http://shop.example:8080", "http://shop.example:8080"),
        ("http://localhost:5173", "http://localhost:5173"),
        ("http://127.0.0.1:3000", "http://127.0.0.1:3000"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
    ],
)
def test_valid_origins_are_normalised(given: str, stored: str) -> None:
    assert normalise_origin(given) == stored


@pytest.mark.parametrize(
    "given",
    [
        "shop.example",
        "//shop.example",
        "ftp://shop.example",
        "javascript://shop.example",
        "https://",
        "https://shop.example/path",
        "https://shop.example//",
        "https://shop.example?q=1",
        "https://shop.example#top",
        "https://user@shop.example",
        "https://user:pw@shop.example",
        "https://*.shop.example",
        "https://shop..example",
        "https://-shop.example",
        "https://shop.example:0x50",
        "https://shop.example:70000",
        "https://shop example",
        "null",
    ],
)
def test_anything_but_an_origin_is_refused(given: str) -> None:
    with pytest.raises(ValueError):
        normalise_origin(given)
