"""Credentials: password hashing (argon2id), JWTs (HS256) and the API-key lookup cache.

API keys themselves (minting, kinds, digests) belong to their project: ``projects.keys``.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import anyio
import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

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


def issue_token(*, user_id: int, project_id: int, secret: str, now: datetime, days: int) -> str:
    """Sign a JWT for a user acting in one project."""
    claims = {
        "sub": str(user_id),
        "project_id": project_id,
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
            user_id=int(claims["sub"]),
            project_id=int(claims["project_id"]),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("The token has expired; sign in again.") from exc
    except (jwt.InvalidTokenError, KeyError, TypeError, ValueError) as exc:
        raise Unauthorized("The token is invalid.") from exc


class KeyCache:
    """A short-lived cache of API key lookups, keyed by the key's hash.

    Ingest authenticates every request; the cache saves a query per request. Revocation
    clears it in this process at once; other API processes see it within ``ttl`` seconds.
    A cached None means a known-bad key.
    """

    def __init__(self, ttl: float = 2.0, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._entries: dict[str, tuple[float, object | None]] = {}

    def get(self, digest: str) -> tuple[bool, object | None]:
        """Return (hit, value)."""
        entry = self._entries.get(digest)
        if entry is None or entry[0] < time.monotonic():
            return False, None
        return True, entry[1]

    def put(self, digest: str, value: object | None) -> None:
        """Remember a lookup result."""
        if len(self._entries) >= self.size:
            self._entries.clear()
        self._entries[digest] = (time.monotonic() + self.ttl, value)

    def clear(self) -> None:
        """Forget everything (called when keys are rotated or revoked)."""
        self._entries.clear()


key_cache = KeyCache()
