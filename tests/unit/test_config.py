"""Settings: production refuses insecure values, embedded mode keeps its own secret."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from leadpulse.config import DEFAULT_JWT_SECRET, Settings

STRONG = "s" * 48
PG = "postgresql+asyncpg://lp@db.example/leadpulse"


def make(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No LEADPULSE_* variable from the machine leaks into these tests."""
    import os

    for name in list(os.environ):
        if name.startswith("LEADPULSE_"):
            monkeypatch.delenv(name)


@pytest.mark.parametrize("secret", [None, "", DEFAULT_JWT_SECRET, "short-secret"])
def test_production_refuses_a_missing_default_or_short_secret(secret: str | None) -> None:
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        make(env="production", jwt_secret=secret, database_url=PG)


def test_production_refuses_sqlite() -> None:
    with pytest.raises(ValidationError, match="PostgreSQL"):
        make(env="production", jwt_secret=STRONG)
    with pytest.raises(ValidationError, match="PostgreSQL"):
        make(env="production", jwt_secret=STRONG, database_url="sqlite:///prod.db")


def test_production_accepts_postgres_and_a_strong_secret() -> None:
    settings = make(env="production", jwt_secret=STRONG, database_url=PG)
    assert settings.secret_key() == STRONG
    assert not settings.is_sqlite


def test_production_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADPULSE_ENV", "production")
    monkeypatch.setenv("LEADPULSE_DATABASE_URL", PG)
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        make()
    monkeypatch.setenv("LEADPULSE_JWT_SECRET", STRONG)
    assert make().env == "production"


def test_embedded_mode_generates_a_secret_once_and_keeps_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = make(data_dir=data)
    secret = first.secret_key()
    assert len(secret) >= 32
    assert first.secret_key() == secret
    path = data / "jwt-secret"
    assert path.read_text().strip() == secret
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert make(data_dir=data).secret_key() == secret
    assert [p.name for p in data.iterdir()] == ["jwt-secret"]  # no staging file left


def test_embedded_secrets_differ_between_data_dirs(tmp_path: Path) -> None:
    one = make(data_dir=tmp_path / "one").secret_key()
    two = make(data_dir=tmp_path / "two").secret_key()
    assert one != two


def test_a_configured_secret_is_never_written_to_disk(tmp_path: Path) -> None:
    settings = make(data_dir=tmp_path, jwt_secret=STRONG)
    assert settings.secret_key() == STRONG
    assert not (tmp_path / "jwt-secret").exists()


def test_an_empty_secret_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "jwt-secret").write_text("\n")
    with pytest.raises(ValueError, match="no usable secret"):
        make(data_dir=tmp_path).secret_key()


def test_wildcard_cors_origin_is_refused() -> None:
    with pytest.raises(ValidationError, match="wildcard"):
        make(cors_origins=["https://app.example.com", "*"])


def test_cors_origins_are_read_as_json_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEADPULSE_CORS_ORIGINS", '["https://app.example.com"]')
    assert make().cors_origins == ["https://app.example.com"]


@pytest.mark.parametrize(
    ("given", "resolved"),
    [
        ("postgres://u:p@h:5432/d", "postgresql+asyncpg://u:p@h:5432/d"),
        ("postgresql://u:p@h/d", "postgresql+asyncpg://u:p@h/d"),
        ("postgresql+asyncpg://u@h/d", "postgresql+asyncpg://u@h/d"),
        ("sqlite:///var/lp.db", "sqlite+aiosqlite:///var/lp.db"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
    ],
)
def test_database_urls_are_normalised_to_async_drivers(given: str, resolved: str) -> None:
    assert make(database_url=given).resolved_database_url == resolved


def test_the_default_database_is_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = make(data_dir=tmp_path)
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path / 'leadpulse.db'}"
    assert settings.is_sqlite


def test_a_copied_settings_object_resolves_its_own_database_url() -> None:
    settings = make(database_url="sqlite:///a.db")
    assert settings.resolved_database_url.endswith("a.db")
    copy = settings.model_copy(update={"database_url": PG})
    assert copy.resolved_database_url == PG


@pytest.mark.parametrize(
    ("field", "value"),
    [("port", 0), ("port", 70000), ("jwt_expiry_days", 0), ("max_body_bytes", 10)],
)
def test_out_of_range_values_are_refused(field: str, value: int) -> None:
    with pytest.raises(ValidationError, match=field):
        make(**{field: value})


# --- trusted proxies (issue §4.7) -------------------------------------------------------


def test_no_proxy_is_trusted_by_default() -> None:
    settings = make()
    assert settings.trusted_proxies == []
    assert settings.forwarded_allow_ips is None


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("10.0.0.1", ["10.0.0.1"]),
        ("10.0.0.1, 172.16.0.0/12 ,::1", ["10.0.0.1", "172.16.0.0/12", "::1"]),
        ('["10.0.0.0/8", "fd00::/8"]', ["10.0.0.0/8", "fd00::/8"]),
        ("*", ["*"]),
        ("", []),
    ],
)
def test_trusted_proxies_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, raw: str, parsed: list[str]
) -> None:
    monkeypatch.setenv("LEADPULSE_TRUSTED_PROXIES", raw)
    settings = make()
    assert settings.trusted_proxies == parsed
    assert settings.forwarded_allow_ips == (",".join(parsed) or None)


@pytest.mark.parametrize("raw", ["proxy.internal", "10.0.0.256", "10.0.0.0/33", "127.0.0.1:80"])
def test_a_trusted_proxy_that_is_no_ip_or_network_is_refused(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("LEADPULSE_TRUSTED_PROXIES", raw)
    with pytest.raises(ValidationError, match="trusted_proxies"):
        make()


@pytest.mark.parametrize(
    ("field", "value"),
    [("login_max_attempts", 0), ("login_window_minutes", 0), ("login_lockout_minutes", 0)],
)
def test_throttle_settings_must_be_positive(field: str, value: int) -> None:
    with pytest.raises(ValidationError, match=field):
        make(**{field: value})


def test_env_example_documents_the_new_settings_and_loads(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / ".env.example"
    text = example.read_text()
    for name in (
        "TRUSTED_PROXIES",
        "LOGIN_MAX_ATTEMPTS",
        "LOGIN_IP_MAX_ATTEMPTS",
        "REGISTER_IP_MAX_ATTEMPTS",
        "LOGIN_WINDOW_MINUTES",
        "LOGIN_LOCKOUT_MINUTES",
    ):
        assert f"LEADPULSE_{name}=" in text
    settings = Settings(_env_file=example)  # type: ignore[call-arg]
    assert settings.trusted_proxies == []
    assert settings.login_max_attempts == 5
