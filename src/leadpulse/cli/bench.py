"""``leadpulse bench run``: the benchmark workload (in throw-away databases of its own)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from leadpulse.cli.framework import Typer

bench_app = Typer(help="Benchmarks against baselines measured in the same run.")
BACKENDS = {"sqlite": ["sqlite"], "postgres": ["postgres"], "all": ["sqlite", "postgres"]}


@bench_app.command("run")
def run(
    quick: Annotated[bool, typer.Option(help="Small smoke run (well under a minute).")] = False,
    backend: Annotated[
        str, typer.Option(help="sqlite, postgres or all (PostgreSQL + Redis must be up).")
    ] = "all",
    out: Annotated[Path, typer.Option(help="Where result JSON files go.")] = Path("bench/results"),
    phases: Annotated[
        str, typer.Option(help="Comma-separated phases to run (default: all), e.g. single,batch.")
    ] = "",
) -> None:
    """Run the standard workload against SQLite and/or PostgreSQL + Redis; print the table."""
    if backend not in BACKENDS:
        raise typer.BadParameter("use sqlite, postgres or all", param_hint="--backend")
    import asyncio

    from rich.console import Console

    from leadpulse.benchmark.run import run as run_bench

    wide = Console(width=None if sys.stdout.isatty() else 150)
    only = [p.strip() for p in phases.split(",") if p.strip()]
    asyncio.run(run_bench(BACKENDS[backend], quick=quick, out_dir=out, console=wide, only=only))


@bench_app.command("scale")
def scale(
    leads: Annotated[int, typer.Option(min=100, help="Leads to seed.")] = 1_000_000,
    events: Annotated[int, typer.Option(min=100, help="Events to seed.")] = 10_000_000,
    repeat: Annotated[int, typer.Option(min=5, help="Timed requests per query.")] = 50,
    out: Annotated[Path, typer.Option(help="Where the result JSON goes.")] = Path("bench/results"),
) -> None:
    """Seed one project with LEADS leads and EVENTS events (PostgreSQL, COPY) and time the
    read paths over HTTP (p50/p99); opt-in, never part of `bench run`."""
    import asyncio
    import tempfile

    from rich.console import Console

    from leadpulse.benchmark.scale_cli import run_scale_command

    wide = Console(width=None if sys.stdout.isatty() else 150)
    workdir = Path(tempfile.mkdtemp(prefix="leadpulse-scale-"))
    asyncio.run(
        run_scale_command(
            leads=leads, events=events, repeat=repeat, out=out, workdir=workdir, console=wide
        )
    )
