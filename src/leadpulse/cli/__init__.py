"""The ``leadpulse`` command.

``app`` builds the command tree; ``framework`` gives every command plain ``--help`` rows and
one-line errors (``--debug`` for tracebacks); ``options`` holds the shared options, Settings
and database helpers; ``run`` (serve, api, worker), ``db``, ``jobs``, ``rescore``, ``decay``
and ``bench`` are the commands.

Start-up stays light: importing the command tree loads Typer and Rich only, and each command
imports what it needs when it runs, so ``leadpulse --help`` and ``--version`` answer at once
(``tests/e2e/test_cli_startup.py`` keeps heavy modules out of them).
"""

from __future__ import annotations

from leadpulse.cli.app import app, main

__all__ = ["app", "main"]
