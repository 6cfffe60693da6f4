"""``leadpulse demo``: a project of synthetic leads, scored through the real pipeline.

The leads and their 60 days of events come from ``leadpulse.synthetic`` (seeded, no clock
inside, no network), shifted so that the history ends at today's midnight (UTC). Events go
through the same ingest front as ``POST /api/ingest/batch`` (``ingest.intake.Intake``:
validation, the group committer, ``ingest.service.store`` and its ``lead_jobs`` rows), then
a ``Worker`` here claims and scores them as ``leadpulse worker`` would (a running worker or
``serve`` may take part of the jobs: claims are shared safely).

Who owns the project: ``--email`` (default ``demo@example.com``). When no account has that
address, one is created with a generated password, printed once; when one exists, the demo
project is added to it and no password is printed (sign in as usual, then switch project).

Transactions: the command is a runner over several and owns them: one for the account and
project (the password is hashed before it), one per group commit of ingest, then the
worker's own claim and scoring transactions, and a read-only session for the summary.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from leadpulse.cli.framework import console, fail
from leadpulse.cli.options import DataDirOpt, load_settings

if TYPE_CHECKING:
    from rich.progress import Progress

    from leadpulse.container import Container
    from leadpulse.synthetic.generator import SyntheticSpec

DEMO_EMAIL = "demo@example.com"
BATCH_EVENTS = 500  # as POST /api/ingest/batch takes them


@dataclass(frozen=True, slots=True)
class DemoOwner:
    """The account the demo project belongs to; ``password`` only if it was created now."""

    user_id: int
    email: str
    project_id: int
    password: str | None


async def _owner(container: Container, *, email: str, project_name: str) -> DemoOwner:
    """Create the demo account (or find it) and a new project for the demo."""
    from leadpulse.auth import security
    from leadpulse.auth import service as auth_service
    from leadpulse.projects import service as projects_service

    password = secrets.token_urlsafe(12)
    password_hash = await security.hash_password(password)  # outside the transaction
    async with container.db.transaction() as session:
        user = await auth_service.find_user(session, email=email)
        if user is not None:
            project, _ = await projects_service.create_project(
                session, owner_id=user.id, name=project_name
            )
            return DemoOwner(user.id, email, project.id, None)
        registration = await auth_service.register(
            session,
            container.settings,
            email=email,
            password_hash=password_hash,
            name="Demo User",
            company=project_name,
        )
        signed_in = registration.signed_in
    return DemoOwner(signed_in.user.id, email, signed_in.project.id, password)


async def _ingest(
    container: Container, spec: SyntheticSpec, project_id: int, progress: Progress
) -> int:
    """Send every synthetic event through the ingest front; return how many were stored."""
    from leadpulse.ingest.intake import Intake
    from leadpulse.ingest.schemas import SdkEvent
    from leadpulse.store.types import utcnow
    from leadpulse.synthetic.generator import sdk_batches

    intake = Intake(container.db, container.settings, waker=container.waker, publish=_no_frames)
    task = progress.add_task("Ingesting leads", total=spec.leads)
    stored = 0
    for leads, bodies in sdk_batches(spec, max_events=BATCH_EVENTS):
        received_at = utcnow()
        items = [
            intake.validate(
                body, SdkEvent, project_id=project_id, received_at=received_at, loc=f"events.{i}"
            )
            for i, body in enumerate(bodies)
        ]
        outcomes = await intake.submit(items)
        stored += sum(outcome.status == "queued" for outcome in outcomes)
        progress.advance(task, leads)
    return stored


def _no_frames(_: object) -> None:
    """Publish no live frame per ingested event (nobody watches a project being created)."""


async def _score(container: Container, leads: int, progress: Progress) -> None:
    """Claim and score the queued jobs here, then run the outbox drains once."""
    from leadpulse.worker.loop import Worker

    worker = Worker(container)
    task = progress.add_task("Scoring leads", total=leads)
    while claimed := await worker.step():
        progress.advance(task, claimed)
    await worker.drain()  # whatever another worker left behind, and the outbox
    progress.update(task, completed=leads)


async def _summary(container: Container, project_id: int) -> dict[str, int]:
    from leadpulse.leads import service as leads_service

    async with container.db.sessions() as session:
        return await leads_service.stage_counts(session, project_id=project_id)


async def _prepare(container: Container) -> None:
    """Migrate an embedded database (as ``serve`` does); refuse an unmigrated server."""
    from leadpulse.store import migrate

    if container.settings.is_sqlite:
        await migrate.upgrade(container.db)
    elif await migrate.current_revision(container.db) is None:
        fail("the database is not migrated: run `leadpulse db upgrade` first")


async def run_demo(
    container: Container, spec: SyntheticSpec, *, email: str, project_name: str
) -> tuple[DemoOwner, int, dict[str, int]]:
    """Create the demo project and score it; return its owner, events stored, and stages."""
    from rich.progress import Progress

    await _prepare(container)
    owner = await _owner(container, email=email, project_name=project_name)
    with Progress(console=console, transient=False) as progress:
        stored = await _ingest(container, spec, owner.project_id, progress)
        await _score(container, spec.leads, progress)
    return owner, stored, await _summary(container, owner.project_id)


def _report(owner: DemoOwner, spec: SyntheticSpec, stored: int, stages: dict[str, int]) -> None:
    spread = ", ".join(f"{stage} {count}" for stage, count in stages.items())
    console.print(
        f"[bold green]Demo project {owner.project_id}[/]: {spec.leads} leads, {stored} events "
        f"over {spec.days} days (seed {spec.seed}); stages: {spread}.",
        highlight=False,
    )
    if owner.password is None:
        typer.echo(f"Added to the account {owner.email}: sign in and switch to the project.")
    else:
        typer.echo(f"Sign in as {owner.email} with the password {owner.password}")


def demo(
    data_dir: DataDirOpt = None,
    leads: Annotated[int, typer.Option(min=1, max=100_000, help="How many leads.")] = 3000,
    days: Annotated[int, typer.Option(min=1, max=365, help="Days of history.")] = 60,
    seed: Annotated[int, typer.Option(help="Seed of the generator (same seed, same data).")] = 7,
    email: Annotated[
        str, typer.Option(help="Owner's e-mail: created with a printed password if new.")
    ] = DEMO_EMAIL,
    project_name: Annotated[str, typer.Option(help="Name of the new project.")] = "Demo project",
) -> None:
    """Create a project of synthetic leads and score them through the real pipeline."""
    import asyncio

    from leadpulse.bootstrap import build_container
    from leadpulse.store.types import utcnow
    from leadpulse.synthetic.generator import SyntheticSpec

    if "@" not in email:
        raise typer.BadParameter("must be an e-mail address", param_hint="--email")
    settings = load_settings(data_dir=data_dir)
    if "log_level" not in settings.model_fields_set:
        logging.getLogger().setLevel(logging.WARNING)  # the progress bars say what happens
    # Ends at today's midnight (UTC): session rates follow weekdays and office hours, so the
    # same seed gives the same events only on the same day.
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    spec = SyntheticSpec.ending_at(today, leads=leads, days=days, seed=seed)

    async def run() -> tuple[DemoOwner, int, dict[str, int]]:
        container = build_container(settings)
        try:
            return await run_demo(
                container, spec, email=email.strip().lower(), project_name=project_name
            )
        finally:
            await container.close()

    started = time.perf_counter()
    owner, stored, stages = asyncio.run(run())
    _report(owner, spec, stored, stages)
    console.print(f"Done in {time.perf_counter() - started:.1f} s.", style="dim")
