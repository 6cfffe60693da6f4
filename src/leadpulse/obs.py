"""Structured logging (structlog) with request and lead ids bound per context.

Lines are JSON for log collectors, or human-readable when a person watches the terminal:
``LEADPULSE_LOG_JSON`` decides when it is set; otherwise JSON unless stderr is a terminal.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

import structlog

if TYPE_CHECKING:
    from leadpulse.config import Settings


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Write to ``sys.stderr`` as it is when a line is logged, not when logging was set up.

    A command run in-process (a test's CliRunner) swaps ``sys.stderr`` and closes its stand-in
    afterwards; a handler that kept the stand-in would fail on every later line.
    """

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> Any:
        """The current standard error."""
        return sys.stderr

    @stream.setter
    def stream(self, _: Any) -> None:
        """Ignore: the stream is always the current standard error."""


def configure_logging_from(settings: Settings) -> None:
    """Configure logging from Settings; JSON is chosen by the terminal unless set explicitly."""
    explicit = "log_json" in settings.model_fields_set
    configure_logging(settings.log_level, json=settings.log_json if explicit else None)


def configure_logging(level: str = "INFO", *, json: bool | None = None) -> None:
    """Route stdlib and structlog logging through one JSON (or console) renderer.

    ``json=None`` renders for people when stderr is a terminal and JSON otherwise.
    """
    if json is None:
        json = not sys.stderr.isatty()
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = _StderrHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # alembic.runtime.plugins announces each of its plugins at INFO on every start.
    for noisy in ("uvicorn.access", "aiosqlite", "sqlalchemy.engine", "alembic.runtime.plugins"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
