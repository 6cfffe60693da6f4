"""CSV export: a cell a spreadsheet would run as a formula is exported as text (§4.9)."""

from __future__ import annotations

import pytest

from leadpulse.leads.export import escape_cell

NEUTRALISED = [
    # the trigger itself
    "=1+1",
    "+cmd",
    "-2",
    "@SUM(A1)",
    # spreadsheets skip leading whitespace before reading a formula
    ' =HYPERLINK("http://x")',
    "   +1",
    "\n=1",
    "\r\n-1",
    "\t@x",
    "\u00a0=1",  # no-break space
    "\u2003+1",  # em space
    "\u3000-1",  # ideographic space
    "\u2028=1",  # line separator
    "\u200b=1",  # zero-width space
    "\ufeff@x",  # byte-order mark
    " \u00a0\t =1",
    # full-width triggers
    "\uff1d1+1",
    "\uff20x",
    # control characters at the start are refused on their own
    "\tx",
    "\rx",
    "\nx",
]
KEPT = ["a=b", "hello world", "  hello", "\u00a0name", "x\n=1", "a@b.c", "", "1-2", "'=already"]


@pytest.mark.parametrize("raw", NEUTRALISED)
def test_a_cell_whose_first_visible_character_triggers_a_formula_is_quoted(raw: str) -> None:
    assert escape_cell(raw) == "'" + raw


@pytest.mark.parametrize("raw", KEPT)
def test_other_cells_are_left_as_they_are(raw: str) -> None:
    assert escape_cell(raw) == raw


def test_a_missing_value_is_an_empty_cell() -> None:
    assert escape_cell(None) == ""
