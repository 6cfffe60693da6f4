"""Uploaded import files: kept under ``data_dir/imports`` (bounded by
``import_max_upload_bytes``), checked before a job is queued for them."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from leadpulse.config import Settings
from leadpulse.errors import InvalidInput, PayloadTooLarge, field_errors
from leadpulse.imports.formats import FORMATS, HEAD_BYTES, Format, check_file, guess_format
from leadpulse.imports.mapping import FieldMapping

CHUNK = 1024 * 1024
Read = Callable[[int], Awaitable[bytes]]


def upload_dir(settings: Settings) -> Path:
    """Return the folder uploads are kept in (created on first use)."""
    folder = settings.data_dir / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def save(settings: Settings, *, project_id: int, read: Read) -> tuple[Path, int]:
    """Copy an upload, chunk by chunk, to a new file; refuse it past the size limit."""
    limit = settings.import_max_upload_bytes
    path = upload_dir(settings) / f"{project_id}-{uuid.uuid4().hex}.upload"
    size = 0
    try:
        with path.open("wb") as file:
            while chunk := await read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge(f"An import file holds at most {limit} bytes.")
                file.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, size


def parse_format(value: str | None, *, path: Path, name: str) -> Format:
    """Return the declared format, or the one the file's name and head suggest."""
    if value is None or value == "":
        with path.open("rb") as file:
            return guess_format(name, file.read(HEAD_BYTES))
    for fmt in FORMATS:
        if value == fmt:
            return fmt
    raise InvalidInput.field("format", f"must be one of {', '.join(FORMATS)}", "enum")


def parse_mapping(value: str | dict[str, Any] | None, *, loc: str = "mapping") -> dict[str, Any]:
    """Validate a mapping (a JSON object, or its text) and return it in wire form."""
    if value is None or value == "":
        return {}
    try:
        data = orjson.loads(value) if isinstance(value, str) else value
        mapping = FieldMapping.model_validate(data)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput.field(loc, "must be a JSON object", "json_invalid") from exc
    except ValidationError as exc:
        errors = field_errors(exc.errors(include_url=False), prefix=loc)
        raise InvalidInput(f"Invalid mapping at {errors[0].loc}", errors) from exc
    return mapping.model_dump(by_alias=True, exclude_none=True)


def accept(
    path: Path, *, name: str, fmt_value: str | None, mapping: Any
) -> tuple[Format, dict[str, Any]]:
    """Check a stored upload and its options; delete the file and raise if refused."""
    try:
        fmt = parse_format(fmt_value, path=path, name=name)
        fields = parse_mapping(mapping)
        check_file(path, fmt, name=name)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return fmt, fields
