"""``leadpulse`` answers ``--help``, ``--version`` and ``db current`` without loading the stack.

Start-up time depends on the machine, so it is not measured here: what is checked is what
makes it slow, the modules a command imports (``scripts/cli-startup.sh`` times it).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from cli_e2e_support import child_env, leadpulse
from typer.testing import CliRunner

from leadpulse import __version__
from leadpulse.cli import app

# The web stack, the database stack and the predictive stack: each takes a visible part of
# a second to import, and none of them is needed to print help or a version.
HEAVY = (
    "fastapi",
    "starlette",
    "uvicorn",
    "socketio",
    "engineio",
    "sqlalchemy",
    "alembic",
    "aiosqlite",
    "asyncpg",
    "redis",
    "numpy",
    "sklearn",
    "httpx",
    "limits",
    "prometheus_client",
)
# pydantic itself is allowed: Typer uses it to read command parameters.
SETTINGS_AND_LOGS = ("pydantic_settings", "structlog", "leadpulse.config")

PROBE = """
import json, sys
out, args = sys.argv[1], json.loads(sys.argv[2])
sys.argv = ["leadpulse", *args]
from leadpulse.cli import main
try:
    main()
except SystemExit as exit:
    code = exit.code
with open(out, "w") as file:
    json.dump(sorted(sys.modules), file)
"""


def imported_by(args: list[str], tmp_path: Path) -> tuple[set[str], str]:
    """Run ``leadpulse ARGS`` in a fresh interpreter; return its modules and its output."""
    out = tmp_path / "modules.json"
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(out), json.dumps(args)],
        cwd=tmp_path,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.is_file(), result.stderr
    names = set(json.loads(out.read_text()))
    modules = names | {name.split(".")[0] for name in names}
    return modules, result.stdout + result.stderr


@pytest.mark.parametrize(
    "args",
    [["--help"], ["--version"], ["serve", "--help"], ["db", "--help"], ["rescore", "--help"]],
)
def test_help_and_version_load_neither_the_stack_nor_the_settings(
    args: list[str], tmp_path: Path
) -> None:
    modules, output = imported_by(args, tmp_path)

    assert "Usage" in output or __version__ in output
    assert sorted(modules & {*HEAVY, *SETTINGS_AND_LOGS}) == []


def test_db_current_on_the_embedded_database_loads_no_database_stack(tmp_path: Path) -> None:
    modules, output = imported_by(["db", "current", "--data-dir", str(tmp_path / "d")], tmp_path)

    assert output.strip() == "unmigrated"
    assert sorted(modules & set(HEAVY)) == []


def test_db_current_reads_the_revision_db_upgrade_wrote(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    upgraded = leadpulse("db", "upgrade", "--data-dir", data, cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr

    current = leadpulse("db", "current", "--data-dir", data, cwd=tmp_path)

    assert current.returncode == 0
    assert f"Database at revision {current.stdout.strip()}" in upgraded.stdout + upgraded.stderr
    assert current.stdout.strip() not in ("", "unmigrated")


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    result = leadpulse("--version", cwd=tmp_path)

    assert result.returncode == 0
    assert result.stdout.strip() == f"leadpulse {__version__}"


def _command_paths(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from _command_paths(sub, (*path, name))


def _commands() -> list[tuple[tuple[str, ...], Any]]:
    root = typer.main.get_command(app)
    found = []
    for path in _command_paths(root):
        command = root
        for name in path:
            command = command.commands[name]
        found.append((path, command))
    return found


COMMANDS = _commands()


@pytest.mark.parametrize("path", [path for path, _ in COMMANDS], ids=" ".join)
def test_no_help_row_shows_a_type_for_a_flag(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
    assert "<bool>" not in result.output


def test_every_command_accepts_a_data_dir() -> None:
    # `bench run` and `bench scale` build their own throw-away databases: no data dir to point at.
    leaves = [(p, c) for p, c in COMMANDS if not hasattr(c, "commands") and p[0] != "bench"]

    lacking = [" ".join(p) for p, c in leaves if "--data-dir" not in _options(c)]

    assert len(leaves) >= 9
    assert lacking == []


def _options(command: Any) -> set[str]:
    return {opt for param in command.params for opt in param.opts}
