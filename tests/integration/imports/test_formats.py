"""Reading import files: line numbers of multi-line CSV records, resuming exactly after a
record's offset, and Segment event names (pure functions on real files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadpulse.errors import InvalidInput
from leadpulse.imports.formats import BadRecord, Record, check_file, records
from leadpulse.imports.rows import segment_name

CSV = (
    "event,timestamp,note\n"
    'signup,2024-01-01T00:00:00Z,"two\nlines"\n'
    "page_view,2024-01-02T00:00:00Z,plain\n"
    "page_view,2024-01-03T00:00:00Z\n"
    "download,2024-01-04T00:00:00Z,last\n"
)


def test_csv_records_carry_their_first_line_and_resume_after_an_offset(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(CSV)
    read = list(records(path, "csv", offset=0, line=0))
    assert [r.line for r in read] == [2, 4, 5, 6]
    assert isinstance(read[0], Record) and read[0].data["note"] == "two\nlines"
    assert isinstance(read[2], BadRecord) and "expected 3 columns" in read[2].reason

    rest = list(records(path, "csv", offset=read[1].end, line=read[1].end_line))
    assert [(r.line, r.raw) for r in rest] == [(r.line, r.raw) for r in read[2:]]


def test_ndjson_resumes_after_an_offset_and_reports_broken_lines(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    path.write_bytes(b'{"event":"a"}\n\n{broken\n{"event":"b"}\n')
    read = list(records(path, "ndjson", offset=0, line=0))
    assert [(type(r).__name__, r.line) for r in read] == [
        ("Record", 1),
        ("BadRecord", 3),
        ("Record", 4),
    ]
    rest = list(records(path, "ndjson", offset=read[0].end, line=read[0].end_line))
    assert [r.line for r in rest] == [3, 4]


@pytest.mark.parametrize(
    ("content", "fmt", "why"),
    [
        (b"\x00\x01\x02binary", "csv", "binary"),
        (b'{"event":"x"}\n', "csv", "holds JSON"),
        (b"event,timestamp\n", "ndjson", "not NDJSON"),
        (b"[1, 2]\n", "segment-json", "JSON object"),
        (b"   \n", "csv", "empty"),
    ],
)
def test_files_not_of_their_format_are_refused_naming_file(
    content: bytes, fmt: str, why: str, tmp_path: Path
) -> None:
    path = tmp_path / "upload"
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as refused:
        check_file(path, fmt)  # type: ignore[arg-type]
    assert refused.value.errors[0].loc == "file" and why in refused.value.detail


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Signed Up", "signed_up"),
        ("Demo-Request Sent!", "demo_request_sent"),
        ("Ünï Côde", "n_cde"),
    ],
)
def test_segment_event_names_are_normalised(name: str, expected: str) -> None:
    assert segment_name(name) == expected
