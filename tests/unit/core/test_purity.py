"""The core is pure: it imports only an allow-list of stdlib modules and itself."""

from __future__ import annotations

import ast
from pathlib import Path

CORE_DIR = Path(__file__).resolve().parents[3] / "src" / "leadpulse" / "core"
ALLOWED = frozenset(
    {
        "__future__",
        "dataclasses",
        "datetime",
        "typing",
        "collections.abc",
        "math",
        "decimal",
        "enum",
        "functools",
        "itertools",
        "re",
        # RE2 (google-re2): a pure, linear-time regex engine for rule conditions; no I/O.
        "re2",
    }
)
OWN_PACKAGE = "leadpulse.core"


def is_allowed(module: str) -> bool:
    return module in ALLOWED or module == OWN_PACKAGE or module.startswith(OWN_PACKAGE + ".")


def imported_modules(tree: ast.AST) -> list[str]:
    modules: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 1:  # relative import inside core itself
                modules.append(OWN_PACKAGE)
            elif node.level > 1:
                modules.append("." * node.level + (node.module or ""))
            else:
                modules.append(node.module or "")
    return modules


def test_core_directory_has_modules() -> None:
    assert len(list(CORE_DIR.glob("*.py"))) >= 9


def test_core_imports_only_stdlib_allow_list_and_itself() -> None:
    offenders = {
        f"{path.name}: {module}"
        for path in sorted(CORE_DIR.glob("*.py"))
        for module in imported_modules(ast.parse(path.read_text(), filename=str(path)))
        if not is_allowed(module)
    }
    assert not offenders, f"core must stay pure, found: {sorted(offenders)}"


def test_import_checker_flags_a_framework_import() -> None:
    tree = ast.parse("import sqlalchemy\nfrom fastapi import APIRouter\nfrom .. import api\n")
    assert [m for m in imported_modules(tree) if not is_allowed(m)] == [
        "sqlalchemy",
        "fastapi",
        "..",
    ]
