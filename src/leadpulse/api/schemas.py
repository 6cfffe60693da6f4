"""Shared schema base: camelCase on the wire, snake_case in Python; ``Page[T]`` for lists."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict
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
