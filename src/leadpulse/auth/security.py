"""Credentials: password hashing (argon2id), JWTs (HS256) and the credential lookup caches.

API keys themselves (minting, kinds, digests) belong to their project: ``projects.keys``.

A JWT carries its user's ``token_version`` as the ``tv`` claim (absent means 0, as in tokens
issued before versions existed). Bumping the user's version revokes every earlier token:
``auth.callers.caller_from_jwt`` compares the two on every request.
"""

from __future__ import annotations

import hashlib
import time
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import anyio
import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

from leadpulse.api.schemas import MAX_BIGINT
from leadpulse.errors import Unauthorized

JWT_ALGORITHM = "HS256"
MIN_PASSWORD = 8
MAX_PASSWORD = 128

_hasher = PasswordHash((Argon2Hasher(), BcryptHasher()))
# argon2id costs ~200 ms of CPU: a small limiter keeps sign-in storms from starving ingest.
_hash_slots = anyio.CapacityLimiter(2)


async def hash_password(password: str) -> str:
    """Hash a password with argon2id in a worker thread."""
    return await anyio.to_thread.run_sync(_hasher.hash, password, limiter=_hash_slots)


async def verify_password(password: str, hashed: str | None) -> bool:
    """Check a password in a worker thread; a missing hash still costs one hash."""
    if hashed is None:
        await hash_password(password)  # same timing for unknown users
        return False
    return await anyio.to_thread.run_sync(_hasher.verify, password, hashed, limiter=_hash_slots)


def sha256_hex(value: str) -> str:
    """Return the hex SHA-256 of a string."""
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: int
    project_id: int
    expires_at: datetime
    token_version: int = 0


def issue_token(
    *,
    user_id: int,
    project_id: int,
    secret: str,
    now: datetime,
    days: int,
    token_version: int = 0,
) -> str:
    """Sign a JWT for a user acting in one project, at the user's current token version."""
    claims = {
        "sub": str(user_id),
        "project_id": project_id,
        "tv": token_version,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(days=days)).timestamp()),
    }
    return jwt.encode(claims, secret, algorithm=JWT_ALGORITHM)


def decode_token(token: str, *, secret: str) -> TokenClaims:
    """Verify a JWT's signature and expiry; raise Unauthorized otherwise."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[JWT_ALGORITHM], options={"require": ["sub", "exp"]}
        )
        return TokenClaims(
            user_id=_claim_int(claims["sub"], minimum=1),
            project_id=_claim_int(claims["project_id"], minimum=1),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
            token_version=_claim_int(claims.get("tv", 0), minimum=0),
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("The token has expired; sign in again.") from exc
    except (jwt.InvalidTokenError, KeyError, TypeError, ValueError, OverflowError, OSError) as exc:
        raise Unauthorized("The token is invalid.") from exc


def _claim_int(value: object, *, minimum: int) -> int:
    """Read an id claim: an int, or a string of at most 19 digits, within a BIGINT."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_BIGINT:
        raise ValueError("not an id")
    return value


class LookupCache:
    """A short-lived, per-process cache of credential lookups.

    Every authenticated request resolves its credential; the cache saves the query. A change
    made in this process clears it at once (the route calls ``clear`` after its commit);
    other API processes see the change within ``ttl`` seconds, which bounds how long a
    revoked key or token keeps working there. A cached None means a known-bad credential.
    """

    def __init__(self, ttl: float = 2.0, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._entries: dict[object, tuple[float, object | None]] = {}

    def get(self, key: object) -> tuple[bool, object | None]:
        """Return (hit, value)."""
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return False, None
        return True, entry[1]

    def put(self, key: object, value: object | None) -> None:
        """Remember a lookup result."""
        if len(self._entries) >= self.size:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self.ttl, value)

    def clear(self) -> None:
        """Forget everything (called when keys or tokens are revoked)."""
        self._entries.clear()


class PerDatabase:
    """One ``LookupCache`` per database engine, for facts keyed by row ids.

    Row ids repeat between databases (one process may serve several, as the tests do), so a
    cached fact is only reused against the engine it was read from; an engine that is gone
    takes its cache with it.
    """

    def __init__(self, ttl: float = 2.0) -> None:
        self.ttl = ttl
        self._caches: weakref.WeakKeyDictionary[object, LookupCache] = weakref.WeakKeyDictionary()

    def of(self, engine: object) -> LookupCache:
        """Return the cache of one engine (a throwaway one when there is no engine)."""
        if engine is None:
            return LookupCache(ttl=0)
        cache = self._caches.get(engine)
        if cache is None:
            cache = self._caches[engine] = LookupCache(ttl=self.ttl)
        return cache

    def clear(self) -> None:
        """Forget everything, for every engine."""
        for cache in list(self._caches.values()):
            cache.clear()


# API keys by their SHA-256 digest → the resolved caller (None: unknown or revoked).
key_cache = LookupCache()
# Per engine: (user id, project id) of a JWT → the user's token version (None: not owned).
token_cache = PerDatabase()


def forget_credentials() -> None:
    """Drop every cached key and token lookup: call it after committing a revocation."""
    key_cache.clear()
    token_cache.clear()
