"""``leadpulse doctor``: check the configuration and every component it names, as a table.

The checks are in ``cli.checks``. The command exits 1 only when a check found a problem;
``not configured``, ``skipped`` and ``warning`` rows do not fail it. Settings that do not
validate are a problem too (one row, then exit 1), rather than the usual exit 2.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Annotated

import typer

from leadpulse.cli.framework import EXIT_ERROR
from leadpulse.cli.options import DataDirOpt

if TYPE_CHECKING:
    from leadpulse.cli.checks import Check
    from leadpulse.config import Settings

STYLES = {
    "ok": "green",
    "not configured": "dim",
    "skipped": "dim",
    "warning": "yellow",
    "problem": "bold red",
}


def _settings(data_dir: DataDirOpt) -> tuple[Settings | None, Check | None]:
    from leadpulse.cli.checks import PROBLEM, Check
    from leadpulse.config import Settings

    overrides = {} if data_dir is None else {"data_dir": data_dir}
    try:
        return Settings(**overrides), None  # type: ignore[arg-type]
    except ValueError as exc:
        reason = " ".join(str(exc).split())[:300]
        return None, Check("configuration", PROBLEM, f"refused: {reason}")


def _print(found: list[Check]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="LeadPulse doctor", title_justify="left")
    table.add_column("check")
    table.add_column("status")
    table.add_column("detail", overflow="fold")
    for check in found:
        style = STYLES.get(check.status, "")
        table.add_row(check.name, f"[{style}]{check.status}[/]", escape(check.detail))
    Console(soft_wrap=False).print(table)


def doctor(
    data_dir: DataDirOpt = None,
    require_worker: Annotated[
        bool, typer.Option(help="Count a missing worker heartbeat as a problem.")
    ] = False,
) -> None:
    """Check configuration, database, migrations, Redis, worker, mail and webhooks."""
    import asyncio

    from leadpulse.cli.checks import PROBLEM, run_all
    from leadpulse.obs import configure_logging

    configure_logging("WARNING")  # the table is the output; drivers' INFO lines are noise
    logging.getLogger("alembic").setLevel(logging.WARNING)
    settings, refused = _settings(data_dir)
    found = [refused] if refused else []
    if settings is not None:
        found = asyncio.run(run_all(settings, require_worker=require_worker))
    _print(found)
    if any(check.status == PROBLEM for check in found):
        raise typer.Exit(EXIT_ERROR)
