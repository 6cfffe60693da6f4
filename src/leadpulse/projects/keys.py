"""A project's API keys: ``pk_`` (publishable: may appear in web pages, can only ingest) or
``sk_`` (secret: full API access).

Both are found by the SHA-256 of the whole key (``key_digest``); a secret key is stored only
as that digest and shown once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

KeyKind = Literal["publishable", "secret"]
KEY_PREFIXES: dict[KeyKind, str] = {"publishable": "pk_", "secret": "sk_"}


def key_digest(plain: str) -> str:
    """Return the hex SHA-256 a key is stored and looked up by."""
    return hashlib.sha256(plain.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class NewKey:
    """A freshly minted key: ``plain`` is shown once, ``hash`` is stored."""

    kind: KeyKind
    plain: str
    hash: str
    prefix: str


def new_api_key(kind: KeyKind) -> NewKey:
    """Mint an API key of the given kind."""
    plain = KEY_PREFIXES[kind] + secrets.token_urlsafe(32)
    return NewKey(kind=kind, plain=plain, hash=key_digest(plain), prefix=plain[:10])


def key_kind(plain: str) -> KeyKind | None:
    """Tell the kind of a key by its prefix, None when it is no LeadPulse key."""
    for kind, prefix in KEY_PREFIXES.items():
        if plain.startswith(prefix):
            return kind
    return None
