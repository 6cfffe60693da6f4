"""The shape a reader can hold in their head: short modules and simple functions.

- No module of ``src/leadpulse`` is longer than 400 lines (Alembic revisions aside: they are
  generated, append-only history).
- No function or method has a cyclomatic complexity over 10, as radon counts it.

A module or function past a limit is split where its parts have names of their own.
"""

from __future__ import annotations

from pathlib import Path

from radon.complexity import cc_visit
from radon.visitors import Class, Function

SRC = Path(__file__).resolve().parents[2] / "src" / "leadpulse"
MAX_LINES = 400
MAX_COMPLEXITY = 10


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


def _functions(blocks: list[Function | Class]) -> list[Function]:
    """Every function and method (a class's own figure sums its methods: not a function's)."""
    found: list[Function] = []
    for block in blocks:
        if isinstance(block, Class):
            found += _functions([*block.methods, *block.inner_classes])
        else:
            found += [block, *_functions(block.closures)]
    return found


def test_there_are_modules_to_check() -> None:
    assert len(_modules()) > 100


def test_no_module_is_longer_than_400_lines() -> None:
    long = {
        str(p.relative_to(SRC)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_function_is_more_complex_than_10() -> None:
    complex_ = {
        f"{p.relative_to(SRC)}:{block.lineno} {block.fullname}": block.complexity
        for p in _modules()
        for block in _functions(cc_visit(p.read_text(encoding="utf-8")))
        if block.complexity > MAX_COMPLEXITY
    }
    assert complex_ == {}
