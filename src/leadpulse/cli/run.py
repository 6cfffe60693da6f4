"""``leadpulse serve | api | worker``: the long-running processes.

A port that another process holds is refused before anything starts (no migration, no
worker), with the one line that says how to pick another.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from leadpulse.cli.framework import console
from leadpulse.cli.options import DataDirOpt, HostOpt, PortOpt, load_settings

if TYPE_CHECKING:
    from leadpulse.config import Settings


def _url(settings: Settings) -> str:
    wildcard = settings.host in ("127.0.0.1", "0.0.0.0", "::")  # noqa: S104 - compared, not bound
    return f"http://{'localhost' if wildcard else settings.host}:{settings.port}"


def _api_port_free(settings: Settings) -> None:
    from leadpulse.processes import ensure_port_free

    ensure_port_free(settings.host, settings.port, setting="LEADPULSE_PORT", option="--port")


def serve(host: HostOpt = None, port: PortOpt = None, data_dir: DataDirOpt = None) -> None:
    """Run API, worker and scheduler in one process (embedded mode by default)."""
    settings = load_settings(host, port, data_dir)
    _api_port_free(settings)
    from leadpulse.processes import run_serve

    url = _url(settings)
    console.print(f"[bold green]LeadPulse[/] on [link={url}]{url}[/]  (API docs: {url}/docs)")
    console.print(
        f"Sign up in the dashboard at {url}/ or: curl -X POST {url}/api/auth/register "
        "-H 'Content-Type: application/json' "
        """-d '{"email":"you@example.com","password":"a-long-password","name":"You"}'""",
        highlight=False,
    )
    run_serve(settings)


def api(
    host: HostOpt = None,
    port: PortOpt = None,
    data_dir: DataDirOpt = None,
    workers: Annotated[int, typer.Option(min=1, help="Number of API processes.")] = 1,
) -> None:
    """Run only the HTTP API (production: start workers separately)."""
    settings = load_settings(host, port, data_dir)
    _api_port_free(settings)
    from leadpulse.processes import run_api

    if workers > 1 and data_dir is not None:
        # Each API process builds its Settings from the environment (leadpulse.asgi).
        os.environ["LEADPULSE_DATA_DIR"] = str(data_dir)

    console.print(f"[bold green]LeadPulse API[/] on {_url(settings)}", highlight=False)
    run_api(settings, processes=workers)


def worker(
    data_dir: DataDirOpt = None,
    concurrency: Annotated[int | None, typer.Option(min=1, help="Leads processed at once.")] = None,
    burst: Annotated[bool, typer.Option(help="Process everything pending, then exit.")] = False,
    health_port: Annotated[
        int | None, typer.Option(help="Port of /health and /metrics (0: off; default 5000).")
    ] = None,
) -> None:
    """Run a scoring worker (claims lead jobs, scores, fires automations and webhooks)."""
    settings = load_settings(data_dir=data_dir)
    if concurrency is not None:
        settings.worker_concurrency = concurrency
    if health_port is not None:
        settings.worker_health_port = health_port
    from leadpulse.processes import ensure_port_free, run_worker

    if settings.worker_health_port and not burst:
        ensure_port_free(
            settings.host,
            settings.worker_health_port,
            setting="LEADPULSE_WORKER_HEALTH_PORT",
            option="--health-port",
        )
    raise typer.Exit(run_worker(settings, burst=burst))
