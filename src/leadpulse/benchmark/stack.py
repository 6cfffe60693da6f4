"""The system under test: fresh databases, server and worker subprocesses, their memory."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from leadpulse.store.db import Database

ROOT = Path(__file__).resolve().parents[3]
BENCH_DIR = ROOT / "bench"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "leadpulse_bench"
REDIS_URL = "redis://127.0.0.1:6379/14"
START_TIMEOUT = 180
JWT_SECRET = "bench-only-secret-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105


@dataclass(slots=True)
class Backend:
    """Where one phase keeps its data: a fresh SQLite dir or a fresh PostgreSQL database."""

    name: str  # "sqlite" | "postgres"
    workdir: Path
    port: int = 4711
    database: str = PG_DATABASE  # PostgreSQL only; `bench scale` keeps its own

    @property
    def data_dir(self) -> Path:
        """The embedded data directory (SQLite file lives here)."""
        return self.workdir / "data"

    @property
    def database_url(self) -> str:
        """SQLAlchemy URL of the benchmark database."""
        if self.name == "sqlite":
            return f"sqlite+aiosqlite:///{self.data_dir / 'leadpulse.db'}"
        return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{self.database}"

    def env(self) -> dict[str, str]:
        """Environment of the LeadPulse processes (rate limits off, quiet logs)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEADPULSE_")} | {
            "LEADPULSE_RATE_LIMIT_ENABLED": "false",
            "LEADPULSE_LOG_LEVEL": "WARNING",
            "LEADPULSE_DATA_DIR": str(self.data_dir),
            "LEADPULSE_PORT": str(self.port),
            "LEADPULSE_HOST": "127.0.0.1",
            "LEADPULSE_JWT_SECRET": JWT_SECRET,
            "LEADPULSE_WORKER_HEALTH_PORT": "0",
            # the dispatch phase's receiver listens on 127.0.0.1 (refused by the SSRF guard)
            "LEADPULSE_WEBHOOKS_ALLOW_PRIVATE": "true",
            "PYTHONUNBUFFERED": "1",
        }
        if self.name == "postgres":
            env["LEADPULSE_DATABASE_URL"] = self.database_url
            env["LEADPULSE_REDIS_URL"] = REDIS_URL
        return env


@dataclass(slots=True)
class Process:
    """A started subprocess with its log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    idle_rss_mb: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        """The process id."""
        return self.popen.pid

    def peak_rss_mb(self) -> float:
        """Return VmHWM (peak resident set) in MB, read from /proc."""
        return _proc_status_mb(self.pid, "VmHWM")

    def rss_mb(self) -> float:
        """Return the current VmRSS in MB."""
        return _proc_status_mb(self.pid, "VmRSS")

    def cpu_seconds(self) -> float:
        """Return user+system CPU time consumed so far, from /proc/<pid>/stat."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM, wait, then SIGKILL if it did not exit."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


def _proc_status_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


async def fresh_database(backend: Backend) -> None:
    """Create an empty, migrated benchmark database (and flush the Redis db)."""
    from leadpulse.store import migrate

    if backend.name == "postgres":
        import asyncpg  # type: ignore[import-untyped]
        import redis.asyncio as aioredis

        conn = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {backend.database} WITH (FORCE)")
            await conn.execute(f"CREATE DATABASE {backend.database}")
        finally:
            await conn.close()
        client = aioredis.from_url(REDIS_URL)
        await client.flushdb()
        await client.aclose()
    else:
        backend.data_dir.mkdir(parents=True, exist_ok=True)
        for path in backend.data_dir.glob("leadpulse.db*"):
            path.unlink()
    db = Database(backend.database_url, pool_size=1)
    try:
        await migrate.upgrade(db)
    finally:
        await db.dispose()


def _spawn(name: str, argv: list[str], backend: Backend) -> Process:
    log = backend.workdir / f"{name}.log"
    with log.open("ab") as out:
        popen = subprocess.Popen(  # noqa: S603 - our own interpreter and scripts
            argv, cwd=ROOT, env=backend.env(), stdout=out, stderr=subprocess.STDOUT
        )
    return Process(name, popen, log)


async def start_server(
    backend: Backend, *, embedded_worker: bool, launcher: list[str] | None = None
) -> Process:
    """Start bench/server.py (the real app + /bench/noop) and wait until it answers.

    ``launcher`` replaces the interpreter (e.g. ``[".venv/bin/pyinstrument", ...]``)."""
    argv = [*(launcher or [sys.executable]), str(BENCH_DIR / "server.py")]
    if embedded_worker:
        argv.append("--embedded-worker")
    return await wait_serving(_spawn("server", argv, backend), backend.port)


async def start_api(backend: Backend, *, workers: int) -> Process:
    """Start ``leadpulse api --workers N`` (the product command, no /bench/noop)."""
    leadpulse = Path(sys.executable).with_name("leadpulse")
    argv = [str(leadpulse), "api", "--workers", str(workers)]
    return await wait_serving(_spawn(f"api-{workers}", argv, backend), backend.port)


async def start_bare(backend: Backend, *, workers: int = 1) -> Process:
    """Start bench/bare.py: bare FastAPI + the no-I/O route, same uvicorn options."""
    argv = [sys.executable, str(BENCH_DIR / "bare.py"), "--port", str(backend.port)]
    argv += ["--workers", str(workers)]
    return await wait_serving(_spawn(f"bare-{workers}", argv, backend), backend.port)


async def wait_serving(proc: Process, port: int) -> Process:
    """Wait until ``proc`` answers ``GET /api/health``; stop it and raise if it never does."""
    deadline = time.monotonic() + START_TIMEOUT
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if proc.popen.poll() is not None:
                raise RuntimeError(f"server exited; see {proc.log}")
            try:
                # any answer means it serves (503 = "degraded": no worker yet, by design)
                await client.get(f"http://127.0.0.1:{port}/api/health")
                proc.idle_rss_mb = proc.rss_mb()
                return proc
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    proc.stop()
    raise RuntimeError(f"server did not start in {START_TIMEOUT} s; see {proc.log}")


def start_worker(backend: Backend, *, launcher: list[str] | None = None) -> Process:
    """Start ``leadpulse worker`` (one process, default concurrency)."""
    leadpulse = Path(sys.executable).with_name("leadpulse")
    argv = [*(launcher or []), str(leadpulse), "worker", "--health-port", "0"]
    proc = _spawn("worker", argv, backend)
    proc.idle_rss_mb = proc.rss_mb()
    return proc


async def sign_up(port: int, tag: str) -> tuple[str, int]:
    """Sign up a benchmark account; return its JWT and project id."""
    token, data = await _sign_up(port, tag)
    return token, int(data["id"])


async def register(port: int, tag: str) -> tuple[str, int]:
    """Sign up a benchmark account; return its publishable key and project id."""
    _, data = await _sign_up(port, tag)
    return str(data["publishableKey"]), int(data["id"])


async def _sign_up(port: int, tag: str) -> tuple[str, dict[str, Any]]:
    base = f"http://127.0.0.1:{port}"
    body = {"email": f"bench-{tag}@example.com", "password": "bench-password-1", "name": "Bench"}
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        reply = await client.post("/api/auth/register", json=body)
        reply.raise_for_status()
        token = str(reply.json()["token"])
        project = await client.get(
            "/api/auth/project", headers={"Authorization": f"Bearer {token}"}
        )
        project.raise_for_status()
        return token, dict(project.json())


def busy_cores(interval: float = 1.0) -> float:
    """Return how many cores the whole machine kept busy over ``interval`` seconds."""

    def sample() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = values[3] + values[4]
        return sum(values) - idle, sum(values)

    busy0, total0 = sample()
    time.sleep(interval)
    busy1, total1 = sample()
    cores = os.cpu_count() or 1
    return cores * (busy1 - busy0) / max(1, total1 - total0)


async def wait_quiet(*, limit: float = 0.3, timeout: float = 30.0) -> float:
    """Wait (up to ``timeout``) until other processes leave the CPU idle; return busy cores."""
    deadline = time.monotonic() + timeout
    while True:
        busy = await asyncio.to_thread(busy_cores, 1.0)
        if busy < limit or time.monotonic() > deadline:
            return busy
