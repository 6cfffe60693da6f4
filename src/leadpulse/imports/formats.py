"""Reading an import file row by row from a byte offset, never the whole file at once.

A *record* is one row with the line it starts on and the byte offset just after it, so an
import can commit a batch and later resume from exactly there. CSV records may span lines
(quoted newlines): ``csv.reader`` pulls lines one at a time from the counting iterator, so
the offset after a record is the bytes it consumed. NDJSON and Segment exports are one JSON
object per line; blank lines are skipped.

``check_file`` looks at the head of a file before an import starts and refuses, at once,
what is not text of the declared format (a binary file, a CSV without a header, JSON lines
that are not objects).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

import orjson

from leadpulse.errors import InvalidInput

Format = Literal["csv", "ndjson", "segment-json"]
FORMATS: tuple[Format, ...] = ("csv", "ndjson", "segment-json")
HEAD_BYTES = 64 * 1024
MAX_RAW = 500  # characters of a rejected row kept in the report
csv.field_size_limit(1024 * 1024)


@dataclass(frozen=True, slots=True)
class Record:
    """One row: its first line number (1-based), the offset and line count after it, and
    its content."""

    line: int
    end: int
    end_line: int
    data: Any
    raw: str


@dataclass(frozen=True, slots=True)
class BadRecord:
    """A row that could not be read at all (broken JSON, wrong column count)."""

    line: int
    end: int
    end_line: int
    reason: str
    raw: str


def guess_format(name: str, head: bytes) -> Format:
    """Return the format a file's name or first bytes suggest (CSV unless JSON lines)."""
    lowered = name.lower()
    if lowered.endswith((".ndjson", ".jsonl", ".json")):
        return "ndjson"
    return "ndjson" if head.lstrip()[:1] == b"{" else "csv"


def _refuse(name: str, why: str) -> InvalidInput:
    return InvalidInput.field("file", f"{name} {why}", "unsupported_format")


def check_file(path: Path, fmt: Format, *, name: str | None = None) -> None:
    """Raise InvalidInput (``file``) unless the file's head is text of format ``fmt``."""
    label = name or path.name
    with path.open("rb") as file:
        head = file.read(HEAD_BYTES)
    if not head.strip():
        raise _refuse(label, "is empty")
    if b"\x00" in head:
        raise _refuse(label, "is a binary file, not CSV or NDJSON")
    text = head.decode("utf-8", errors="ignore" if len(head) == HEAD_BYTES else "strict")
    first = text.lstrip("\ufeff").lstrip().split("\n", 1)[0]
    if fmt == "csv":
        if first.startswith(("{", "[")):
            raise _refuse(label, "holds JSON, not CSV: use --format ndjson or segment-json")
        if not first.strip():
            raise _refuse(label, "has no CSV header row")
        return
    try:
        parsed = orjson.loads(first)
    except orjson.JSONDecodeError as exc:
        raise _refuse(label, "is not NDJSON: its first line is not JSON") from exc
    if not isinstance(parsed, dict):
        raise _refuse(label, "is not NDJSON: each line must be a JSON object")


def _lines(file: BinaryIO, counter: list[int]) -> Iterator[str]:
    for raw in file:
        counter[0] += len(raw)
        counter[1] += 1
        yield raw.decode("utf-8", errors="replace")


def read_header(path: Path) -> list[str]:
    """Return the column names of a CSV file (its first record)."""
    with path.open("rb") as file:
        row = next(csv.reader(_lines(file, [0, 0])), [])
    return [name.lstrip("\ufeff").strip() for name in row]


def csv_records(path: Path, *, offset: int, line: int) -> Iterator[Record | BadRecord]:
    """Yield the CSV records after ``offset`` (0: after the header) as column → cell."""
    header = read_header(path)
    with path.open("rb") as file:
        counter = [0, 0]
        if offset:
            file.seek(offset)
            counter = [offset, line]
        lines = _lines(file, counter)
        reader = csv.reader(lines)
        if not offset:
            next(reader, None)
        for row in reader:
            first_line = _record_line(counter, row)
            raw = ",".join(row)[:MAX_RAW]
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                reason = f"expected {len(header)} columns, found {len(row)}"
                yield BadRecord(first_line, counter[0], counter[1], reason, raw)
                continue
            yield Record(
                first_line, counter[0], counter[1], dict(zip(header, row, strict=True)), raw
            )


def _record_line(counter: list[int], row: list[str]) -> int:
    # The record ended on line counter[1]; it began as many lines earlier as it holds newlines.
    return counter[1] - sum(cell.count("\n") for cell in row)


def json_records(path: Path, *, offset: int, line: int) -> Iterator[Record | BadRecord]:
    """Yield the JSON objects of an NDJSON file after ``offset``, one per line."""
    with path.open("rb") as file:
        file.seek(offset)
        position, number = offset, line
        for raw in file:
            position += len(raw)
            number += 1
            if not raw.strip():
                continue
            text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            try:
                data = orjson.loads(raw)
            except orjson.JSONDecodeError:
                yield BadRecord(number, position, number, "not valid JSON", text[:MAX_RAW])
                continue
            yield Record(number, position, number, data, text[:MAX_RAW])


def records(path: Path, fmt: Format, *, offset: int, line: int) -> Iterator[Record | BadRecord]:
    """Yield the records of an import file of format ``fmt`` after ``offset``."""
    if fmt == "csv":
        return csv_records(path, offset=offset, line=line)
    return json_records(path, offset=offset, line=line)
