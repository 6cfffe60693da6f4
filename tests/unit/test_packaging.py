"""Packaging and deployment files: dashboard lookup, deploy/compose.yaml, Dockerfile, health check.

No Docker engine runs here, so compose.yaml and the Dockerfile are checked as files: the
services, health checks and start-up order exist, every LEADPULSE_* variable is a real setting
that validates, and the image's health check script judges /api/health bodies correctly.
tests/e2e/test_wheel.py runs the wheel install path of the image and the health check script
against real processes.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from leadpulse.api import web
from leadpulse.config import Settings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
LEADPULSE_SERVICES = ("migrate", "api", "worker")
STRONG = "s" * 48
HEALTHCHECK_SCRIPT = "/usr/local/bin/leadpulse-healthcheck"


def _interpolate(value: Any, **env: str) -> str:
    """Resolve compose's ``${VAR:-default}`` the way ``docker compose`` would."""

    def resolve(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        if default is None:
            pytest.fail(f"${{{name}}} has no default in compose.yaml")
        return default

    return re.sub(r"\$\{(\w+)(?::-([^}]*))?\}", resolve, str(value))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return loaded


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("LEADPULSE_"):
            monkeypatch.delenv(name)


def _settings_from(environment: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_the_dashboard_is_looked_up_in_the_package_first(tmp_path: Path) -> None:
    packaged, checkout = tmp_path / "web_dist", tmp_path / "web" / "dist"
    for build in (packaged, checkout):
        build.mkdir(parents=True)
        (build / "index.html").write_text("<!doctype html>")
    assert web.find_dashboard((packaged, checkout)) == packaged

    (packaged / "index.html").unlink()  # an empty directory is not a build
    assert web.find_dashboard((packaged, checkout)) == checkout

    (checkout / "index.html").unlink()  # nothing built: the checkout, whose page says how
    assert web.find_dashboard((packaged, checkout)) == checkout
    assert web.default_dashboard_dir() in (web.PACKAGED_DASHBOARD, web.CHECKOUT_DASHBOARD)


def test_compose_runs_postgres_redis_a_migration_the_api_and_a_worker(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert set(services) == {"postgres", "redis", *LEADPULSE_SERVICES}
    commands = {name: services[name]["command"] for name in LEADPULSE_SERVICES}
    assert commands == {
        "migrate": ["leadpulse", "db", "upgrade"],
        "api": ["leadpulse", "api"],
        "worker": ["leadpulse", "worker"],
    }
    for name in LEADPULSE_SERVICES:
        build = services[name]["build"]
        assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
    assert services["migrate"]["restart"] == "no"


def test_every_long_running_service_has_a_health_check(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["postgres"]["healthcheck"]["test"][1].startswith("pg_isready")
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    for role in ("api", "worker"):
        assert services[role]["healthcheck"]["test"] == ["CMD", "python", HEALTHCHECK_SCRIPT, role]
    assert services["migrate"]["healthcheck"] == {"disable": True}


def test_api_and_worker_start_after_the_migration_succeeded(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for role in ("api", "worker"):
        assert services[role]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"},
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }


def test_compose_environment_is_made_of_real_settings(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    environment = compose["services"]["api"]["environment"]
    names = {name.removeprefix("LEADPULSE_").lower() for name in environment}
    assert names <= set(Settings.model_fields)
    for role in LEADPULSE_SERVICES:
        assert compose["services"][role]["environment"] == environment

    resolved = {k: _interpolate(v, LEADPULSE_JWT_SECRET=STRONG) for k, v in environment.items()}
    settings = _settings_from(resolved, monkeypatch)
    assert (settings.env, settings.host, settings.port) == ("production", "0.0.0.0", 4000)
    assert settings.resolved_database_url.startswith("postgresql+asyncpg://leadpulse:")
    assert settings.redis_url == "redis://redis:6379/0"
    assert settings.cors_origins == ["http://localhost:4000"]


def test_the_placeholder_jwt_secret_is_refused(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    environment = compose["services"]["api"]["environment"]
    resolved = {k: _interpolate(v) for k, v in environment.items()}
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        _settings_from(resolved, monkeypatch)


def test_the_env_example_names_real_settings_and_keeps_the_placeholder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines = (DEPLOY / ".env.example").read_text().splitlines()
    values = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    commented = {line[2:].split("=")[0] for line in lines if re.match(r"# LEADPULSE_\w+=", line)}
    leadpulse = {k for k in values if k.startswith("LEADPULSE_")} | commented
    assert {k.removeprefix("LEADPULSE_").lower() for k in leadpulse} <= set(Settings.model_fields)
    assert values["LEADPULSE_JWT_SECRET"] == "change-me"


def test_the_dockerfile_builds_in_stages_and_runs_unprivileged() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^ARG NODE_IMAGE=node:20\b", text, re.M)
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim", text, re.M)
    stages = re.findall(r"^FROM \S+ AS (\w+)$", text, re.M)
    assert stages == ["dashboard", "wheel", "runtime"]
    runtime = text.split("AS runtime", 1)[1]
    assert "scripts/build-wheel.sh --skip-web /dist" in text
    assert "-r /dist/requirements.txt /dist/leadpulse-*.whl" in runtime
    assert f"COPY deploy/healthcheck.py {HEALTHCHECK_SCRIPT}" in runtime
    assert re.search(r"^USER leadpulse$", runtime, re.M)
    assert re.search(rf'^  CMD \["python", "{HEALTHCHECK_SCRIPT}", "api"\]$', runtime, re.M)
    assert "HEALTHCHECK" in runtime


def _healthcheck_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("healthcheck", DEPLOY / "healthcheck.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("database", "redis", "healthy"),
    [
        ("ok", "ok", True),
        ("ok", "disabled", True),
        ("down", "ok", False),
        ("ok", "down", False),
    ],
)
def test_the_api_health_check_ignores_only_the_worker(
    database: str, redis: str, healthy: bool
) -> None:
    body = {
        "status": "degraded",
        "database": {"status": database},
        "redis": {"status": redis},
        "worker": {"status": "none"},
    }
    assert _healthcheck_module().api_is_healthy(body) is healthy


def test_the_health_check_fails_when_nothing_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        monkeypatch.setenv("LEADPULSE_WORKER_HEALTH_PORT", str(s.getsockname()[1]))
        monkeypatch.setattr("sys.argv", ["healthcheck", "worker"])
        assert _healthcheck_module().main() == 1
