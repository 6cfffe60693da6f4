"""How every ``leadpulse`` command is built: help without stray types, errors in one line.

- ``Typer`` is ``typer.Typer`` whose groups and commands render flags without the ``<bool>``
  type Typer's rich help puts next to every flag (``--help`` included).
- ``RootGroup`` is the top-level group: an exception escaping a command becomes one red
  line on stderr and exit status 1. ``leadpulse --debug …`` lets it through, traceback and
  all. Usage errors (exit 2), ``typer.Exit`` and Ctrl-C keep their own handling.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup

console = Console(stderr=True, soft_wrap=True)
EXIT_ERROR = 1


def _untyped_flags(params: list[Any]) -> list[Any]:
    # A flag takes no value, so it has no type to show; an empty metavar is what Typer's
    # rich help prints in the type column (a flag's metavar is used nowhere else).
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params


class PlainCommand(TyperCommand):
    """A command whose ``--help`` shows no type next to flags."""

    def get_params(self, ctx: Any) -> list[Any]:
        """Return the parameters, flags without a type label."""
        return _untyped_flags(super().get_params(ctx))


class PlainGroup(TyperGroup):
    """A group whose ``--help`` shows no type next to flags."""

    def get_params(self, ctx: Any) -> list[Any]:
        """Return the parameters, flags without a type label."""
        return _untyped_flags(super().get_params(ctx))


class RootGroup(PlainGroup):
    """The ``leadpulse`` group: turns an escaping exception into one line and exit 1."""

    def invoke(self, ctx: Any) -> Any:
        """Run the command; explain a failure in one line unless ``--debug`` was given."""
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            message, understood = explain(exc)
            fail(message, hint=not understood)


class Typer(typer.Typer):
    """``typer.Typer`` with plain flags in every group and command it creates."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("cls", PlainGroup)
        kwargs.setdefault("add_completion", False)
        kwargs.setdefault("rich_markup_mode", "rich")
        super().__init__(*args, **kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
        """Register a command (as ``typer.Typer.command``) rendered with plain flags."""
        kwargs.setdefault("cls", PlainCommand)
        return super().command(*args, **kwargs)


def fail(message: str, *, hint: bool = False) -> NoReturn:
    """Print ``message`` as one red line on stderr and exit with status 1."""
    suffix = "  [dim](leadpulse --debug … shows the traceback)[/]" if hint else ""
    console.print(f"[bold red]error:[/] {escape(message)}{suffix}", highlight=False)
    raise typer.Exit(EXIT_ERROR)


def explain(exc: Exception) -> tuple[str, bool]:
    """Return the one line a person needs to read about ``exc``, and whether LeadPulse knows
    this kind of failure (a domain error, a database problem, a refused address…); for the
    other kinds, the traceback behind ``--debug`` is worth a look."""
    from leadpulse.errors import LeadPulseError

    if isinstance(exc, LeadPulseError):
        return exc.detail, True
    database = _database_problem(exc)
    if database is not None:
        return database, True
    text = _first_line(str(exc))
    if isinstance(exc, OSError) and text:
        return text, True
    return (f"{type(exc).__name__}: {text}" if text else type(exc).__name__), False


_UNMIGRATED = ("no such table", "does not exist")


def _database_problem(exc: Exception) -> str | None:
    if "sqlalchemy" not in sys.modules:
        return None  # nothing has touched a database: no need to import SQLAlchemy to know
    from sqlalchemy import exc as sa_exc

    if not isinstance(exc, sa_exc.DBAPIError):
        return None
    reason = _first_line(str(exc.orig)) if exc.orig is not None else _first_line(str(exc))
    if isinstance(exc, sa_exc.IntegrityError):
        return f"the database refused the change: {reason}"
    if any(marker in reason for marker in _UNMIGRATED):
        return f"{reason}: is the database migrated? Run `leadpulse db upgrade`."
    return f"database error: {reason}"


def _first_line(text: str) -> str:
    lines: Sequence[str] = text.strip().splitlines()
    return lines[0].strip() if lines else ""
