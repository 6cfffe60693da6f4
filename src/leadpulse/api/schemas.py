"""The wire format every feature's schemas build on: camelCase on the wire, snake_case in
Python; ``Page[T]`` for lists; ``not_null`` for PATCH bodies.

This is the one module of ``api/`` that feature packages import (their ``schemas.py``); it
imports nothing of LeadPulse.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    """Base for request and response bodies."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)


class StrictInput(ApiModel):
    """Base for request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", str_strip_whitespace=True
    )


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
