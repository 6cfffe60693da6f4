"""Process runners: embedded ``serve``, ``api`` (N processes) and ``worker``."""

from __future__ import annotations

import uvicorn

from leadpulse.api.app import app_kwargs, asgi_app
from leadpulse.bootstrap import build_container
from leadpulse.config import Settings


def build_api(settings: Settings, *, embedded_worker: bool) -> object:
    """Create the ASGI app, with the in-process worker when embedded."""
    container = build_container(settings)
    return asgi_app(container)


def run_serve(settings: Settings) -> None:
    """Run the API with the worker and scheduler in the same process."""
    settings.secret_key()
    app = build_api(settings, embedded_worker=True)
    uvicorn.run(app, host=settings.host, port=settings.port, **app_kwargs())  # type: ignore[arg-type]


def run_api(settings: Settings, *, processes: int) -> None:
    """Run the API alone, in one or several processes."""
    settings.secret_key()
    if processes > 1:
        uvicorn.run(
            "leadpulse.asgi:app_from_env",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=processes,
            **app_kwargs(),
        )
        return
    app = build_api(settings, embedded_worker=False)
    uvicorn.run(app, host=settings.host, port=settings.port, **app_kwargs())  # type: ignore[arg-type]


def run_worker(settings: Settings, *, burst: bool) -> int:
    """Run the scoring worker until SIGTERM (or, with ``burst``, until idle)."""
    raise NotImplementedError("the worker arrives with the pipeline")
