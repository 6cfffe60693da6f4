"""The ``leadpulse`` command tree: global options, then every command by name."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from leadpulse import __version__
from leadpulse.cli import bench, db, decay, demo, doctor, imports, jobs, rescore, run
from leadpulse.cli.framework import RootGroup, Typer

app = Typer(
    cls=RootGroup,
    help="LeadPulse: event-driven lead scoring. `leadpulse serve` runs everything in one process.",
    no_args_is_help=True,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"leadpulse {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback when a command fails.")
    ] = False,
) -> None:
    """LeadPulse: event-driven lead scoring. `leadpulse serve` runs everything in one process."""


app.command()(run.serve)
app.command()(run.api)
app.command()(run.worker)
app.command()(rescore.rescore)
app.command()(demo.demo)
app.command()(doctor.doctor)
app.command(name="import")(imports.import_file)
app.add_typer(db.db_app, name="db")
app.add_typer(jobs.jobs_app, name="jobs")
app.add_typer(decay.decay_app, name="decay")
app.add_typer(bench.bench_app, name="bench")


def main() -> None:
    """Entry point of the ``leadpulse`` script."""
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app(prog_name="leadpulse")
