"""The wire format every feature's schemas build on: camelCase on the wire, snake_case in
Python; ``Page[T]`` for lists; ``not_null`` for PATCH bodies.

Every request body is a ``StrictInput``, which refuses, in any field and at any depth of a
free-form object (``properties``, ``traits``, configs): a NUL character or a lone surrogate in
a string or a key (PostgreSQL's text and JSONB cannot hold them), a float that is not finite
(``NaN``, ``Infinity``: not JSON, and not comparable), and an integer beyond 64 bits. The
error names the field and, inside an object, the path (``properties.a.0``). Dates are
``UtcDateTime`` (aware, converted to UTC, so an offset that would carry a date past year 1 or
9999 is a 422, not an overflow later) and database ids are ``BigId`` (1 … 2⁶³−1, what a
BIGINT holds).

This is the one module of ``api/`` that feature packages import (their ``schemas.py``); it
imports nothing of LeadPulse.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

MAX_BIGINT = 2**63 - 1  # the largest value of a BIGINT column (every id, every count)
MAX_INT = 2**31 - 1  # the largest value of an INTEGER column on PostgreSQL (scores, points)


def to_utc(value: datetime) -> datetime:
    """Return ``value`` in UTC (a naive value is read as UTC); ValueError if out of range."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("date is out of range once converted to UTC") from exc


UtcDateTime = Annotated[datetime, AfterValidator(to_utc)]
BigId = Annotated[int, Field(ge=1, le=MAX_BIGINT)]


NUL = "must not contain a NUL character (\\u0000)"


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return NUL
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate (``"\ud800"`` is valid JSON, not text)
            return "must be valid Unicode text (no lone surrogate)"
    return None


def _scalar_problem(node: Any) -> str | None:
    if isinstance(node, str):
        return _text_problem(node)
    if isinstance(node, float) and not math.isfinite(node):
        return "must be a finite number (not NaN or Infinity)"
    if isinstance(node, int) and not -MAX_BIGINT - 1 <= node < 2**64:  # what orjson can write
        return "must be an integer of at most 64 bits"
    return None


def _children(node: Any, where: str) -> list[tuple[Any, str]]:
    # a nested model is a StrictInput that has checked itself; scalars have no children
    if isinstance(node, dict):
        return [(v, f"{where}.{k}" if where else str(k)) for k, v in node.items()]
    if isinstance(node, list | tuple | set | frozenset):
        return [(v, f"{where}.{i}" if where else str(i)) for i, v in enumerate(node)]
    return []


def unsafe_value(value: Any, path: str = "") -> tuple[str, str] | None:
    """Find a NUL character or a non-finite float in ``value``: (path, why), or None."""
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        node, where = stack.pop()
        problem = _scalar_problem(node)
        if problem is not None:
            return where, problem
        if isinstance(node, dict):
            keys = (_text_problem(k) for k in node if isinstance(k, str))
            bad_key = next((p for p in keys if p is not None), None)
            if bad_key is not None:
                return where, f"keys {bad_key}"
        stack.extend(_children(node, where))
    return None


def _refuse_unsafe(value: Any) -> Any:
    found = unsafe_value(value)
    if found is not None:
        # ``ctx.path`` lets ``leadpulse.errors.field_errors`` add the inner path to the loc
        path, why = found
        raise PydanticCustomError("unsafe_value", why, {"path": path})
    return value


class ApiModel(BaseModel):
    """Base for request and response bodies."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)


class StrictInput(ApiModel):
    """Base for request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        str_strip_whitespace=True,
        allow_inf_nan=False,
    )

    _safe = field_validator("*", mode="after")(_refuse_unsafe)


T = TypeVar("T")


class Page(ApiModel, Generic[T]):
    """One page of a list: ``{items, total, limit, offset}``."""

    items: list[T]
    total: int
    limit: int
    offset: int


def _refuse_null(value: object) -> object:
    if value is None:
        raise ValueError("cannot be null; omit the field to leave it unchanged")
    return value


def not_null(*fields: str) -> Any:
    """Refuse an explicit null for ``fields`` of a PATCH body (omitting them keeps the value).

    Use in the class body: ``_not_null = not_null("name", "active")``.
    """
    return field_validator(*fields, mode="before")(_refuse_null)
