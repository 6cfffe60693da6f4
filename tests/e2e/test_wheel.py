"""The installable package: the built wheel, installed into a fresh virtualenv, runs anywhere.

One wheel per session, built by ``scripts/build-wheel.sh`` (the script ``make wheel`` and the
Docker image use; the dashboard is built first only when ``web/dist`` is missing). It is
installed the way the Docker image installs it — the locked requirement set, then the wheel —
with ``uv pip`` into a new virtualenv, so the uv cache keeps it fast. Every process then runs
from an empty temporary directory, far from the source checkout.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from wheel_e2e_support import (
    PG_URL,
    Child,
    admin_sql,
    clean_env,
    find_uv,
    free_port,
    run,
    sign_up_and_ingest,
    unavailable,
    wait_for_score,
)

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
WEB_DIST = REPO / "web" / "dist"
SRC = REPO / "src" / "leadpulse"
REDIS_URL = os.environ.get("LEADPULSE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
DEMO_REQUEST_POINTS = 50


@dataclass(frozen=True)
class Built:
    wheel: Path
    requirements: Path


@dataclass(frozen=True)
class Installed:
    venv: Path

    @property
    def leadpulse(self) -> Path:
        return self.venv / "bin" / "leadpulse"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The wheel and its requirements.txt, built once per session."""
    if not (WEB_DIST / "index.html").is_file():
        if shutil.which("npm") is None:
            unavailable("the wheel needs the dashboard and web/dist is missing: no Node.js/npm")
        run(["bash", REPO / "scripts" / "build-web.sh"], cwd=REPO)
    out = tmp_path_factory.mktemp("wheel")
    run(
        ["bash", REPO / "scripts" / "build-wheel.sh", "--skip-web", out],
        cwd=REPO,
        env=clean_env(UV=find_uv()),
    )
    (wheel,) = out.glob("leadpulse-*-py3-none-any.whl")
    return Built(wheel=wheel, requirements=out / "requirements.txt")


@pytest.fixture(scope="session")
def installed(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """A fresh virtualenv with the locked requirements and the wheel installed."""
    venv = tmp_path_factory.mktemp("venv") / "venv"
    uv, here = find_uv(), venv.parent
    run([uv, "venv", "--quiet", "--python", sys.executable, venv], cwd=here)
    python = venv / "bin" / "python"
    install = ["pip", "install", "--quiet", "--python", python]
    run([uv, *install, "-r", built.requirements, built.wheel], cwd=here)
    return Installed(venv)


def _healthcheck(installed: Installed, role: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the Docker image's health check script with the installed interpreter."""
    return subprocess.run(
        [str(installed.python), str(REPO / "deploy" / "healthcheck.py"), role],
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_the_wheel_carries_the_dashboard_the_sdk_and_the_migrations(built: Built) -> None:
    with zipfile.ZipFile(built.wheel) as wheel:
        names = set(wheel.namelist())
        index = wheel.read("leadpulse/web_dist/index.html").decode()
        ls_js = wheel.read("leadpulse/sdk/ls.js")
        entry_points = wheel.read("leadpulse-0.1.0.dist-info/entry_points.txt").decode()

    assert {name.split("/")[0] for name in names} == {"leadpulse", "leadpulse-0.1.0.dist-info"}
    assert index == (WEB_DIST / "index.html").read_text()
    referenced = re.findall(r'(?:src|href)="/(assets/[^"]+)"', index)
    assert referenced, "index.html names no bundle"
    assert {f"leadpulse/web_dist/{asset}" for asset in referenced} <= names
    assert ls_js == (SRC / "sdk" / "ls.js").read_bytes()
    migrations = {
        f"leadpulse/store/migrations/{p.relative_to(SRC / 'store' / 'migrations').as_posix()}"
        for p in (SRC / "store" / "migrations").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert migrations <= names
    assert "leadpulse/py.typed" in names
    assert "leadpulse = leadpulse.cli:main" in entry_points
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)


def test_the_installed_package_uses_its_own_files(installed: Installed, tmp_path: Path) -> None:
    probe = (
        "import leadpulse, leadpulse.api.web as web, leadpulse.sdk.assets as sdk;"
        "from leadpulse.store.migrate import alembic_config;"
        "print(leadpulse.__file__); print(web.default_dashboard_dir());"
        "print(sdk.load_asset('ls.js').name);"
        "print(alembic_config().get_main_option('script_location'))"
    )
    lines = run([installed.python, "-c", probe], cwd=tmp_path).stdout.splitlines()
    package = Path(lines[0]).parent
    assert package.is_relative_to(installed.venv)
    assert Path(lines[1]) == package / "web_dist"
    assert lines[2] == "ls.js"
    assert Path(lines[3]) == package / "store" / "migrations"


def test_the_built_wheel_refuses_to_ship_without_the_dashboard(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for name in ("pyproject.toml", "README.md", "uv.lock"):
        shutil.copy(REPO / name, checkout / name)
    shutil.copytree(REPO / "scripts", checkout / "scripts")
    shutil.copytree(SRC, checkout / "src" / "leadpulse", ignore=shutil.ignore_patterns("__py*"))

    result = subprocess.run(
        ["bash", "scripts/build-wheel.sh", "--skip-web", str(tmp_path / "out")],
        cwd=checkout,
        env=clean_env(UV=find_uv()),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode != 0
    assert "the dashboard is not built" in result.stderr
    assert not list((tmp_path / "out").glob("*.whl"))


def _assert_serves_the_dashboard_and_ls_js(url: str) -> None:
    page = httpx.get(f"{url}/", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200
    assert page.text == (WEB_DIST / "index.html").read_text()  # not the "not built" page
    bundle = re.search(r'src="(/assets/[^"]+\.js)"', page.text)
    assert bundle is not None
    script = httpx.get(f"{url}{bundle.group(1)}", timeout=10)
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]

    sdk = httpx.get(f"{url}/sdk/ls.js", timeout=10)
    assert sdk.status_code == 200
    assert sdk.headers["content-type"].startswith("application/javascript")
    assert sdk.content == (SRC / "sdk" / "ls.js").read_bytes()


def test_installed_serve_runs_from_an_empty_directory(installed: Installed, tmp_path: Path) -> None:
    port, data = free_port(), tmp_path / "data"
    url = f"http://127.0.0.1:{port}"
    child = Child(
        [installed.leadpulse, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=clean_env(LEADPULSE_DATA_DIR=str(data)),
    )
    try:
        first = child.wait_until_answering(f"{url}/api/health")  # 503 until the first heartbeat
        assert first.json()["database"] == {"status": "ok", "backend": "sqlite"}

        _assert_serves_the_dashboard_and_ls_js(url)
        auth, lead_id = sign_up_and_ingest(url)
        lead = wait_for_score(url, auth, lead_id)
        assert (lead["currentScore"], lead["leadStage"]) == (DEMO_REQUEST_POINTS, "warm")

        health = httpx.get(f"{url}/api/health", timeout=10)
        assert (health.status_code, health.json()["worker"]["status"]) == (200, "ok")
        assert _healthcheck(installed, "api", LEADPULSE_PORT=str(port)).returncode == 0
        assert (data / "leadpulse.db").is_file()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["data", child.log.name]
        assert child.stop() in (0, -signal.SIGTERM)
        assert "Traceback" not in child.output
    finally:
        child.kill()


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    """A new, unmigrated PostgreSQL database, as a ``postgresql://`` URL (like compose's)."""
    name = f"lp_wheel_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(admin_sql(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # unreachable server: skip locally, fail under CI
        unavailable(f"PostgreSQL unreachable: {exc!r}"[:300])
    base = PG_URL.rpartition("/")[0].replace("postgresql+asyncpg://", "postgresql://")
    yield f"{base}/{name}"
    asyncio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _redis_reachable() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable(f"Redis unreachable: {exc!r}"[:300])
    finally:
        client.close()


def _checkout_head() -> str | None:
    """The newest migration of the source checkout (the wheel must carry all of them)."""
    from alembic.script import ScriptDirectory

    from leadpulse.store.migrate import alembic_config

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@pytest.mark.postgres
@pytest.mark.redis
def test_installed_migrate_api_and_worker_run_the_compose_topology(
    installed: Installed, empty_postgres: str, tmp_path: Path
) -> None:
    _redis_reachable()
    api_port, health_port = free_port(), free_port()
    env = clean_env(
        LEADPULSE_ENV="production",
        LEADPULSE_DATABASE_URL=empty_postgres,
        LEADPULSE_REDIS_URL=REDIS_URL,
        LEADPULSE_JWT_SECRET=secrets.token_urlsafe(48),
        LEADPULSE_PORT=str(api_port),
        LEADPULSE_WORKER_HEALTH_PORT=str(health_port),
        LEADPULSE_DATA_DIR=str(tmp_path / "data"),
    )
    upgraded = run([installed.leadpulse, "db", "upgrade"], cwd=tmp_path, env=env)
    assert f"Database at revision {_checkout_head()}" in upgraded.stderr

    url = f"http://127.0.0.1:{api_port}"
    worker = Child([installed.leadpulse, "worker"], cwd=tmp_path, env=env)
    api = Child([installed.leadpulse, "api"], cwd=tmp_path, env=env)
    try:
        worker.wait_until_answering(f"http://127.0.0.1:{health_port}/health")
        assert api.wait_until_answering(f"{url}/api/health").json()["mode"] == "production"
        auth, lead_id = sign_up_and_ingest(url)
        assert wait_for_score(url, auth, lead_id)["currentScore"] == DEMO_REQUEST_POINTS

        ports = {"LEADPULSE_PORT": str(api_port), "LEADPULSE_WORKER_HEALTH_PORT": str(health_port)}
        for role in ("api", "worker"):
            check = _healthcheck(installed, role, **ports)
            assert check.returncode == 0, check.stderr
        assert httpx.get(f"{url}/api/health", timeout=10).json()["worker"]["status"] == "ok"
        assert api.stop() in (0, -signal.SIGTERM)
        assert worker.stop() == 0
        assert "Traceback" not in api.output + worker.output
    finally:
        api.kill()
        worker.kill()
