"""``leadpulse bench run``: every phase per backend, a progress bar, JSON and a table."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from leadpulse.benchmark import imports, report
from leadpulse.benchmark.loadgen import wrk_path
from leadpulse.benchmark.phases import Context, make_plan, phase_batch, phase_e2e, phase_single
from leadpulse.benchmark.stack import BENCH_DIR, Backend
from leadpulse.benchmark.workload import Spec, generate, statistics
from leadpulse.store.types import utcnow

PHASES = (
    ("single", phase_single),
    ("batch", phase_batch),
    ("e2e", phase_e2e),
    ("import", imports.phase_import),
)
GENERATOR = (
    "wrk 4.1.0 (Debian), 1 thread, bench/post.lua (16 connections for single events, "
    "4 for 500-event batches); latency at a fixed rate: leadpulse.benchmark.pacer "
    "(open-loop asyncio, raw HTTP/1.1, latency from the scheduled send time)"
)


def ensure_tools() -> None:
    """Install wrk when missing (bench/ensure-tools.sh), then check it is there."""
    if shutil.which("wrk") is None:
        subprocess.run([str(BENCH_DIR / "ensure-tools.sh")], check=False)  # noqa: S603
    wrk_path()


async def run_backend(
    name: str, *, quick: bool, progress: Progress, console: Console
) -> dict[str, Any]:
    """Run the three phases against one backend; return the raw results and figures."""
    plan = make_plan(quick=quick)
    work = generate(Spec(events=plan.events, leads=plan.leads))
    task = progress.add_task(f"{name}: workload", total=len(PHASES))
    raw: dict[str, Any] = {}
    tmp = Path(tempfile.mkdtemp(prefix=f"leadpulse-bench-{name}-"))
    try:
        backend = Backend(name, tmp)

        def status(text: str) -> None:
            progress.update(task, description=f"{name}: {text}")

        ctx = Context(backend, plan, work, status)
        for phase, run in PHASES:
            started = time.monotonic()
            raw[phase] = await run(ctx)
            raw[phase]["wall_s"] = round(time.monotonic() - started, 1)
            raw[phase]["busy_cores_before_steps"] = ctx.quiet[:]
            ctx.quiet.clear()
            progress.advance(task)
    except BaseException:
        console.print(f"[bold red]{name} failed[/]; server and worker logs kept in {tmp}")
        raise
    shutil.rmtree(tmp, ignore_errors=True)
    status("done")
    figs = report.figures(name, raw)
    console.print(report.table(name, figs))
    return {
        "backend": name,
        "quick": quick,
        "started_at": utcnow().isoformat(),
        "machine": report.machine(),
        "generator": GENERATOR,
        "workload": statistics(work) | {"seed": work.spec.seed},
        "plan": {k: getattr(plan, k) for k in plan.__slots__},
        "figures": report.as_json(figs),
        "raw": raw,
        "markdown": report.markdown(name, figs),
    }


def write_result(result: dict[str, Any], out_dir: Path) -> Path:
    """Write one backend's result as bench/results/<backend>-<timestamp>.json (quick: .tmp)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    suffix = ".quick.json.tmp" if result["quick"] else ".json"
    path = out_dir / f"{result['backend']}-{stamp}{suffix}"
    path.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2) + b"\n")
    return path


async def run(backends: list[str], *, quick: bool, out_dir: Path, console: Console) -> list[Path]:
    """Run the benchmark for each backend and write the results; return the files."""
    ensure_tools()
    written: list[Path] = []
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} phases"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        for name in backends:
            result = await run_backend(name, quick=quick, progress=progress, console=console)
            written.append(write_result(result, out_dir))
    for path in written:
        console.print(f"results: {path}")
    return written
