"""Credentials: argon2id passwords, API keys and JWT decoding."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from leadpulse.auth import security
from leadpulse.auth.security import decode_token, hash_password, issue_token, verify_password
from leadpulse.errors import Unauthorized
from leadpulse.projects.keys import KeyKind, key_digest, key_kind, new_api_key

SECRET = "unit-secret-" + "z" * 60
NOW = datetime(2026, 1, 1, tzinfo=UTC)


async def test_passwords_are_hashed_with_argon2id_and_verify() -> None:
    hashed = await hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert "correct horse battery" not in hashed
    assert await verify_password("correct horse battery", hashed)
    assert not await verify_password("wrong horse battery", hashed)


async def test_the_same_password_hashes_differently_each_time() -> None:
    assert await hash_password("same password") != await hash_password("same password")


async def test_verifying_against_no_hash_still_costs_a_hash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    real = security._hasher.hash

    def counting(password: str) -> str:
        calls.append(password)
        return real(password)

    monkeypatch.setattr(security._hasher, "hash", counting)
    assert await verify_password("anything at all", None) is False
    assert calls == ["anything at all"]


@pytest.mark.parametrize(("kind", "prefix"), [("publishable", "pk_"), ("secret", "sk_")])
def test_new_api_keys_carry_their_prefix_and_sha256(kind: KeyKind, prefix: str) -> None:
    key = new_api_key(kind)
    assert key.plain.startswith(prefix)
    assert len(key.plain) > 40
    assert key.hash == hashlib.sha256(key.plain.encode()).hexdigest() == key_digest(key.plain)
    assert key.plain.startswith(key.prefix)
    assert key_kind(key.plain) == kind
    assert new_api_key(kind).plain != key.plain


def test_non_leadpulse_keys_have_no_kind() -> None:
    assert key_kind("ak_123") is None
    assert key_kind("") is None


def _token(**overrides: object) -> str:
    claims = {"sub": "7", "project_id": 3, "iat": NOW, "exp": NOW + timedelta(days=7)}
    return jwt.encode(claims | overrides, SECRET, algorithm="HS256")


def test_issued_tokens_decode_to_their_claims() -> None:
    now = datetime.now(UTC)
    token = issue_token(user_id=7, project_id=3, secret=SECRET, now=now, days=7)
    claims = decode_token(token, secret=SECRET)
    assert (claims.user_id, claims.project_id) == (7, 3)
    assert claims.expires_at.tzinfo is not None
    assert claims.expires_at.utcoffset() == timedelta(0)
    assert claims.expires_at == (now + timedelta(days=7)).replace(microsecond=0)


def test_an_expired_token_says_so() -> None:
    token = issue_token(user_id=1, project_id=1, secret=SECRET, now=NOW, days=7)
    with pytest.raises(Unauthorized, match="expired"):
        decode_token(token, secret=SECRET)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "a.b.c",
        jwt.encode({"sub": "1", "project_id": 1}, SECRET, algorithm="HS256"),  # no exp
    ],
)
def test_malformed_tokens_are_invalid(token: str) -> None:
    with pytest.raises(Unauthorized, match="invalid"):
        decode_token(token, secret=SECRET)


def test_tokens_missing_or_mistyping_claims_are_invalid() -> None:
    far = datetime.now(UTC) + timedelta(days=1)
    for claims in (
        {"sub": "1", "exp": far},  # no project_id
        {"project_id": 1, "exp": far},  # no sub
        {"sub": "one", "project_id": 1, "exp": far},
        {"sub": "1", "project_id": "x", "exp": far},
    ):
        token = jwt.encode(claims, SECRET, algorithm="HS256")
        with pytest.raises(Unauthorized, match="invalid"):
            decode_token(token, secret=SECRET)


def test_tokens_signed_otherwise_are_invalid() -> None:
    later = datetime.now(UTC) + timedelta(days=1)
    claims = {"sub": "1", "project_id": 1, "exp": later}
    other = jwt.encode(claims, "other-secret-" + "q" * 40, algorithm="HS256")
    hs512 = jwt.encode(claims, SECRET, algorithm="HS512")
    unsigned = jwt.encode(claims, None, algorithm="none")
    for token in (other, hs512, unsigned):
        with pytest.raises(Unauthorized, match="invalid"):
            decode_token(token, secret=SECRET)


# --- token versions and the lookup caches (issue §4.1) -----------------------------------


def test_tokens_carry_their_version_and_tokens_without_one_are_version_0() -> None:
    now = datetime.now(UTC)
    token = issue_token(user_id=7, project_id=3, secret=SECRET, now=now, days=7, token_version=4)
    assert decode_token(token, secret=SECRET).token_version == 4
    assert decode_token(_token(exp=now + timedelta(days=1)), secret=SECRET).token_version == 0
    with pytest.raises(Unauthorized, match="invalid"):
        decode_token(_token(exp=now + timedelta(days=1), tv="new"), secret=SECRET)


def test_a_cached_lookup_expires_after_its_ttl(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(security.time, "monotonic", lambda: clock[0])
    cache = security.LookupCache(ttl=2.0)
    cache.put("k", 1)
    assert cache.get("k") == (True, 1)
    clock[0] += 1.9
    assert cache.get("k") == (True, 1)
    clock[0] += 0.2
    assert cache.get("k") == (False, None)


def test_a_cached_none_is_a_hit_and_clear_forgets_it() -> None:
    cache = security.LookupCache()
    cache.put("bad", None)
    assert cache.get("bad") == (True, None)
    cache.clear()
    assert cache.get("bad") == (False, None)


def test_token_facts_are_cached_per_database_engine() -> None:
    class Engine:  # any object that can be weakly referenced stands for an engine
        pass

    caches = security.PerDatabase()
    first, second = Engine(), Engine()
    caches.of(first).put((1, 1), 3)
    assert caches.of(first).get((1, 1)) == (True, 3)
    assert caches.of(second).get((1, 1)) == (False, None)  # same ids, another database
    caches.clear()
    assert caches.of(first).get((1, 1)) == (False, None)
    assert caches.of(None).get((1, 1)) == (False, None)


def test_forget_credentials_clears_key_and_token_caches() -> None:
    class Engine:
        pass

    engine = Engine()
    security.key_cache.put("digest", None)
    security.token_cache.of(engine).put((1, 2), 0)
    security.forget_credentials()
    assert security.key_cache.get("digest") == (False, None)
    assert security.token_cache.of(engine).get((1, 2)) == (False, None)
