"""Which browser origins may open a live socket: the server's own, and the allow-list.

A dashboard loaded from ``leadpulse serve`` connects its socket to the origin it was served
from, whatever that is: ``http://127.0.0.1:4000``, another port, or a domain behind a proxy.
That same origin is always accepted: the ``Origin`` header equals the scheme and ``Host``
of the handshake request itself. ``LEADPULSE_CORS_ORIGINS`` lists the *other* origins (a
dashboard served by Vite on :5173, say).

The scheme is the one the ASGI server reports. Behind a TLS-terminating proxy it is
``https`` only when the proxy is in ``LEADPULSE_TRUSTED_PROXIES``: uvicorn then applies its
``X-Forwarded-Proto`` (``processes.uvicorn_options``) and from anyone else ignores it, as for
every HTTP request. ``X-Forwarded-Host`` is never believed (uvicorn does not apply it
either): the proxy must pass the browser's ``Host`` through (nginx:
``proxy_set_header Host $host``) or the public origin must be listed in the allow-list.

python-engineio's own same-origin default is not used because it believes
``X-Forwarded-Proto`` and ``X-Forwarded-Host`` from every client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from leadpulse.projects.origins import normalise_origin

WEB_SCHEMES = {"ws": "http", "wss": "https", "http": "http", "https": "https"}

OriginCheck = Callable[[str | None, dict[str, Any]], bool]


def _normalised(origin: str) -> str | None:
    try:
        return normalise_origin(origin)
    except ValueError:
        return None


def request_origin(scope: dict[str, Any]) -> str | None:
    """Return the origin a request was made to: its scheme and its ``Host`` header."""
    host = next((v for k, v in scope.get("headers", ()) if k == b"host"), None)
    scheme = WEB_SCHEMES.get(str(scope.get("scheme", "http")))
    if host is None or scheme is None:
        return None
    return _normalised(f"{scheme}://{host.decode('latin-1')}")


def same_origin_or(allowed: Iterable[str]) -> OriginCheck:
    """Return python-engineio's origin check: the request's own origin, or one of ``allowed``."""
    allow_list = frozenset(_normalised(origin) or origin for origin in allowed)

    def check(origin: str | None, environ: dict[str, Any]) -> bool:
        wanted = _normalised(origin) if origin else None
        if wanted is None:
            return False  # engineio asks only when the header is present (and for CORS headers)
        return wanted in allow_list or wanted == request_origin(environ.get("asgi.scope", {}))

    return check
