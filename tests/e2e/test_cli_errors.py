"""``leadpulse`` explains a failure in one red line and a non-zero exit; ``--debug`` shows more.

Each test runs the installed command as a subprocess on a throw-away data dir.
"""

from __future__ import annotations

import json
import os
import pty
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from cli_e2e_support import LEADPULSE, child_env, free_port, leadpulse
from typer.testing import CliRunner

from leadpulse.cli.framework import RootGroup, Typer
from leadpulse.errors import Conflict


@pytest.fixture
def migrated(tmp_path: Path) -> Path:
    """A data dir whose embedded database is migrated and empty."""
    data = tmp_path / "data"
    result = leadpulse("db", "upgrade", "--data-dir", str(data), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return data


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_rescoring_an_unknown_project_says_so_in_one_line(migrated: Path) -> None:
    result = leadpulse("rescore", "--project-id", "99", "--data-dir", str(migrated), cwd=migrated)

    assert result.returncode == 1
    assert one_line(result) == "error: no project 99"


def test_replaying_an_unknown_failed_job_says_so_in_one_line(migrated: Path) -> None:
    result = leadpulse("jobs", "replay", "42", "--data-dir", str(migrated), cwd=migrated)

    assert result.returncode == 1
    assert one_line(result) == "error: no failed job 42"


def test_debug_shows_the_traceback(migrated: Path) -> None:
    result = leadpulse("--debug", "jobs", "replay", "42", "--data-dir", str(migrated), cwd=migrated)

    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert "NotFound" in result.stderr and "no failed job 42" in result.stderr


def test_an_unmigrated_database_is_named_with_the_fix(tmp_path: Path) -> None:
    result = leadpulse("jobs", "list", "--data-dir", str(tmp_path / "new"), cwd=tmp_path)

    assert result.returncode == 1
    line = one_line(result)
    assert line.startswith("error: no such table: failed_jobs")
    assert "leadpulse db upgrade" in line


def test_a_bad_argument_is_a_usage_error_without_traceback(tmp_path: Path) -> None:
    result = leadpulse("decay", "run", "--now", "31/12/2026", cwd=tmp_path)

    assert result.returncode == 2
    assert "--now" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 that another process (this one) is listening on."""
    port = free_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        yield port


@pytest.mark.parametrize("command", ["serve", "api"])
def test_a_busy_port_is_refused_before_anything_starts(
    command: str, busy_port: int, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    result = leadpulse(command, "--port", str(busy_port), "--data-dir", str(data), cwd=tmp_path)

    assert result.returncode == 1
    assert one_line(result) == (
        f"error: port {busy_port} is in use — set LEADPULSE_PORT or pass --port"
    )
    assert not (data / "leadpulse.db").exists()  # no migration, no worker: nothing ran


def test_a_worker_whose_health_port_is_busy_says_how_to_move_it(
    busy_port: int, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    result = leadpulse(
        "worker", "--health-port", str(busy_port), "--data-dir", str(data), cwd=tmp_path
    )

    assert result.returncode == 1
    assert one_line(result) == (
        f"error: port {busy_port} is in use — set LEADPULSE_WORKER_HEALTH_PORT or pass "
        "--health-port"
    )
    assert not (data / "leadpulse.db").exists()


def test_a_busy_port_from_the_environment_is_refused_too(busy_port: int, tmp_path: Path) -> None:
    result = leadpulse("serve", cwd=tmp_path, LEADPULSE_PORT=str(busy_port))

    assert result.returncode == 1
    assert f"port {busy_port} is in use" in one_line(result)


def _in_a_terminal(args: list[str], cwd: Path, **env: str) -> tuple[int, str]:
    """Run ``leadpulse ARGS`` with stdout and stderr on a pseudo-terminal; return its text."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [LEADPULSE, *args],
        cwd=cwd,
        env=child_env(**env),
        stdin=subprocess.DEVNULL,
        stdout=terminal,
        stderr=terminal,
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    return process.wait(timeout=120), b"".join(chunks).decode(errors="replace")


def _json_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip().startswith("{")]


def test_logs_read_as_text_in_a_terminal(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    code, text = _in_a_terminal(["db", "upgrade", "--data-dir", data], tmp_path)
    assert code == 0, text
    assert "Running upgrade" in text  # Alembic's log line, as text
    assert _json_lines(text) == []

    code, text = _in_a_terminal(["db", "current", "--data-dir", data], tmp_path)

    assert code == 0
    assert _json_lines(text) == []
    assert text.strip() not in ("", "unmigrated")


def test_logs_are_json_when_piped_or_when_asked(tmp_path: Path) -> None:
    piped = leadpulse("db", "upgrade", "--data-dir", str(tmp_path / "a"), cwd=tmp_path)
    assert piped.returncode == 0
    assert any(
        json.loads(line)["event"].startswith("Running upgrade")
        for line in _json_lines(piped.stderr)
    )

    code, text = _in_a_terminal(
        ["db", "upgrade", "--data-dir", str(tmp_path / "b")], tmp_path, LEADPULSE_LOG_JSON="true"
    )

    assert code == 0
    assert _json_lines(text) != []


# --- the same rule in-process: any command under the root group -------------------------------


def _app_raising(error: Exception) -> typer.Typer:
    app = Typer(cls=RootGroup)

    @app.callback()
    def root(debug: bool = typer.Option(False, "--debug")) -> None:
        """A root group as leadpulse's."""

    @app.command()
    def boom() -> None:
        raise error

    return app


def test_an_unexpected_error_is_one_line_that_points_at_debug() -> None:
    result = CliRunner().invoke(_app_raising(RuntimeError("disk on fire\nsecond line")), ["boom"])

    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: RuntimeError: disk on fire  (leadpulse --debug … shows the traceback)"
    ]


def test_a_domain_error_is_its_detail_alone() -> None:
    result = CliRunner().invoke(_app_raising(Conflict("email taken")), ["boom"])

    assert result.exit_code == 1
    assert result.output.strip() == "error: email taken"


def test_a_refused_database_change_is_named() -> None:
    from sqlalchemy.exc import IntegrityError

    refused = IntegrityError("INSERT …", {}, Exception("FOREIGN KEY constraint failed"))
    result = CliRunner().invoke(_app_raising(refused), ["boom"])

    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: the database refused the change: FOREIGN KEY constraint failed"
    )


def test_with_debug_the_exception_itself_escapes() -> None:
    error = RuntimeError("disk on fire")

    result = CliRunner().invoke(_app_raising(error), ["--debug", "boom"])

    assert result.exit_code == 1
    assert result.exception is error
