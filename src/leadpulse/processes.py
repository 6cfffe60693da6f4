"""The processes LeadPulse runs: embedded ``serve`` (API + worker in one), ``api`` (one or N
processes) and ``worker``. The CLI calls these; tests and benchmarks build the same objects."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import shutil
import signal
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import structlog
import uvicorn

from leadpulse.api.app import app_kwargs, asgi_app
from leadpulse.bootstrap import build_container
from leadpulse.config import Settings
from leadpulse.container import Container
from leadpulse.errors import LeadPulseError
from leadpulse.store import migrate
from leadpulse.worker.health import serve_health
from leadpulse.worker.loop import Worker

log = structlog.get_logger("leadpulse.processes")
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


class EmbeddedWorker:
    """Runs a Worker inside the API process (``leadpulse serve``)."""

    def __init__(self) -> None:
        self.stop = anyio.Event()
        self.task: asyncio.Task[None] | None = None

    async def start(self, container: Container) -> None:
        """Start the worker task once the API's lifespan has migrated the database."""
        worker = Worker(container)
        self.task = asyncio.create_task(worker.run(self.stop), name="embedded-worker")

    async def shutdown(self, _: Container) -> None:
        """Let in-flight batches finish, then stop."""
        self.stop.set()
        if self.task is not None:
            await self.task


def build_api(settings: Settings, *, embedded_worker: bool) -> Any:
    """Create the ASGI app, with the in-process worker when embedded."""
    container = build_container(settings)
    if not embedded_worker:
        return asgi_app(container)
    worker = EmbeddedWorker()
    return asgi_app(container, on_startup=[worker.start], on_shutdown=[worker.shutdown])


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Return the uvicorn options of ``serve`` and ``api`` (one process or N).

    Proxy headers (``X-Forwarded-For``/``-Proto``) are believed only from the peers in
    ``LEADPULSE_TRUSTED_PROXIES``; with none (the default) they are ignored, whoever sends
    them — uvicorn's own default would trust 127.0.0.1, so a same-host proxy that passes the
    header through would let every client choose its IP, and its per-IP rate limit.
    """
    trusted = settings.forwarded_allow_ips
    return {
        **app_kwargs(),
        "host": settings.host,
        "port": settings.port,
        "proxy_headers": trusted is not None,
        "forwarded_allow_ips": trusted,
    }


def run_serve(settings: Settings) -> None:
    """Run the API with the worker and scheduler in the same process."""
    settings.secret_key()
    app = build_api(settings, embedded_worker=True)
    uvicorn.run(app, **uvicorn_options(settings))


def run_api(settings: Settings, *, processes: int) -> None:
    """Run the API alone, in one or several processes."""
    settings.secret_key()
    if processes > 1:
        with metrics_directory():
            uvicorn.run(
                "leadpulse.asgi:app_from_env",
                factory=True,
                workers=processes,
                **uvicorn_options(settings),
            )
        return
    app = build_api(settings, embedded_worker=False)
    uvicorn.run(app, **uvicorn_options(settings))


@contextlib.contextmanager
def metrics_directory() -> Iterator[Path]:
    """Run the block with prometheus-client's multiprocess mode on, so that a scrape of
    any API process reports the sum over all of them.

    The processes uvicorn spawns inherit ``PROMETHEUS_MULTIPROC_DIR`` and keep their values
    in files there. An operator's own directory is used as it is (wipe it between runs);
    otherwise a fresh one is made for this run and removed after it.
    """
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        yield Path(given)
        return
    path = Path(tempfile.mkdtemp(prefix="leadpulse-metrics-"))
    os.environ[MULTIPROC_ENV] = str(path)
    try:
        yield path
    finally:
        del os.environ[MULTIPROC_ENV]
        shutil.rmtree(path, ignore_errors=True)


async def _worker_main(settings: Settings, *, burst: bool) -> int:
    container = build_container(settings)
    try:
        if settings.is_sqlite:
            await migrate.upgrade(container.db)
        worker = Worker(container)
        if burst:
            count = await worker.drain()
            log.info("burst_done", leads=count)
            return 0
        stop = anyio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        async with anyio.create_task_group() as tg:
            if settings.worker_health_port:
                tg.start_soon(_health, worker, settings, stop)
            await worker.run(stop)
            stop.set()
        return 0
    finally:
        await container.close()


async def _health(worker: Worker, settings: Settings, stop: anyio.Event) -> None:
    await serve_health(worker, host=settings.host, port=settings.worker_health_port, stop=stop)


def run_worker(settings: Settings, *, burst: bool) -> int:
    """Run the scoring worker until SIGTERM (or, with ``burst``, until idle)."""
    return asyncio.run(_worker_main(settings, burst=burst))


class PortInUse(LeadPulseError):
    """The port a process should listen on is held by another process."""

    title = "Port in use"


def ensure_port_free(host: str, port: int, *, setting: str, option: str) -> None:
    """Raise PortInUse, naming how to choose another port, when ``host:port`` is taken.

    Checked before anything starts: uvicorn binds only after the app's start-up (migrations,
    the embedded worker), so without this a busy port shows up late, in a traceback.
    """
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    with socket.socket(family, kind, proto) as probe:
        # As uvicorn binds: SO_REUSEADDR, so a port in TIME_WAIT is not "in use".
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            raise PortInUse(f"port {port} is in use — set {setting} or pass {option}") from exc
