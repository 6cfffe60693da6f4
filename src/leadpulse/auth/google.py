"""Google sign-in: verify an ID token against Google's certificates, offline after one fetch.

Certificates are fetched from ``settings.google_certs_url`` and cached for the response's
``Cache-Control: max-age`` (default one hour); an unknown ``kid`` forces one refetch so key
rotation never locks users out.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
from google.auth import exceptions as google_exceptions
from google.auth import jwt as google_jwt

from leadpulse.errors import Unauthorized, Unavailable

ISSUERS = frozenset({"accounts.google.com", "https://accounts.google.com"})
_MAX_AGE = re.compile(r"max-age=(\d+)")
REFETCH_AFTER = 30.0  # seconds between refetches forced by an unknown key id
CLOCK_SKEW = 60  # seconds of iat/exp tolerance: our clock and Google's never agree exactly


@dataclass(frozen=True, slots=True)
class GoogleIdentity:
    sub: str
    email: str
    name: str


class GoogleVerifier:
    """Verify Google ID tokens for one OAuth client id."""

    def __init__(
        self,
        *,
        client_id: str,
        certs_url: str,
        http: httpx.AsyncClient | None = None,
        refetch_after: float = REFETCH_AFTER,
    ):
        self.client_id = client_id
        self.certs_url = certs_url
        self.refetch_after = refetch_after
        self._http = http
        self._certs: dict[str, str] = {}
        self._expires = 0.0
        self._fetched = -refetch_after
        self._lock = anyio.Lock()

    async def _get(self) -> httpx.Response:
        if self._http is None:
            async with httpx.AsyncClient(timeout=10) as client:
                return await client.get(self.certs_url)
        return await self._http.get(self.certs_url)

    async def _fetch(self) -> None:
        self._fetched = time.monotonic()
        try:
            response = (await self._get()).raise_for_status()
            certs = {str(k): str(v) for k, v in dict(response.json()).items()}
        except (httpx.HTTPError, ValueError, TypeError) as exc:
            raise Unavailable("Google certificates could not be fetched.") from exc
        match = _MAX_AGE.search(response.headers.get("cache-control", ""))
        self._expires = time.monotonic() + (int(match.group(1)) if match else 3600)
        self._certs = certs

    async def certs(self, kid: str | None) -> dict[str, str]:
        """Return the cached certificates, refetching when stale or missing ``kid``.

        An unknown ``kid`` refetches at most once per ``refetch_after`` seconds, so tokens
        with made-up key ids cannot turn every request into a call to Google.
        """
        async with self._lock:
            now = time.monotonic()
            unknown = bool(kid) and kid not in self._certs
            if now >= self._expires or (unknown and now - self._fetched >= self.refetch_after):
                await self._fetch()
            return self._certs

    async def verify(self, id_token: str) -> GoogleIdentity:
        """Check signature, audience, issuer, expiry and e-mail verification."""
        try:
            header: dict[str, Any] = google_jwt.decode_header(id_token)  # type: ignore[no-untyped-call]
        except (ValueError, google_exceptions.GoogleAuthError) as exc:
            raise Unauthorized("The Google token is malformed.") from exc
        certs = await self.certs(header.get("kid"))
        try:
            claims = google_jwt.decode(  # type: ignore[no-untyped-call]
                id_token, certs=certs, audience=self.client_id, clock_skew_in_seconds=CLOCK_SKEW
            )
        except (ValueError, google_exceptions.GoogleAuthError) as exc:
            raise Unauthorized(f"The Google token was rejected: {exc}") from exc
        if claims.get("iss") not in ISSUERS:
            raise Unauthorized("The Google token has the wrong issuer.")
        if not claims.get("email") or not claims.get("email_verified"):
            raise Unauthorized("The Google account has no verified e-mail.")
        email = str(claims["email"])
        return GoogleIdentity(
            sub=str(claims["sub"]), email=email, name=str(claims.get("name") or email)
        )
