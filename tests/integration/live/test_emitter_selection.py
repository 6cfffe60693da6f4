"""Which live-update adapter a process gets: its own server, else Redis, else nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import socketio

from leadpulse.config import Settings
from leadpulse.container import Container
from leadpulse.live import server as live_server
from leadpulse.live.emitter import NullEmitter, RedisEmitter, ServerEmitter, emitter_for
from leadpulse.store.db import Database

MakeContainer = Callable[..., Container]


@pytest.fixture
async def make_container(tmp_path: Path) -> AsyncIterator[MakeContainer]:
    made: list[Container] = []

    def _make(redis_url: str | None = None) -> Container:
        settings = Settings(
            env="test",
            data_dir=tmp_path,
            redis_url=redis_url,
            live_channel="lp-selection-test",
            _env_file=None,  # type: ignore[call-arg]
        )
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}", pool_size=1)
        container = Container(settings=settings, db=db)
        made.append(container)
        return container

    yield _make
    for container in made:
        await container.close()


def test_worker_without_redis_drops_events(make_container: MakeContainer) -> None:
    container = make_container()

    assert isinstance(emitter_for(container), NullEmitter)


def test_worker_with_redis_publishes_write_only(make_container: MakeContainer) -> None:
    container = make_container("redis://127.0.0.1:6379/15")

    emitter = emitter_for(container)

    assert isinstance(emitter, RedisEmitter)
    assert emitter.manager.write_only
    assert emitter.manager.channel == "lp-selection-test"


@pytest.mark.parametrize("redis_url", [None, "redis://127.0.0.1:6379/15"])
def test_process_with_a_server_emits_through_it(
    make_container: MakeContainer, redis_url: str | None
) -> None:
    container = make_container(redis_url)
    emitter_for(container)  # chosen before the server existed: must be re-chosen

    live_server.wrap(object(), container)
    emitter = emitter_for(container)

    assert isinstance(emitter, ServerEmitter)
    assert emitter.server is container.live_server
    expected = socketio.AsyncRedisManager if redis_url else socketio.AsyncManager
    assert type(emitter.server.manager) is expected


def test_emitter_is_created_once_per_process(make_container: MakeContainer) -> None:
    container = make_container("redis://127.0.0.1:6379/15")

    assert emitter_for(container) is emitter_for(container)
