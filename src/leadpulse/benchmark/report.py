"""Turn raw phase results into figures (LeadPulse vs same-run baseline vs target)."""

from __future__ import annotations

import os
import platform
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich.table import Table

E2E_TARGET = {"postgres": 10_000.0, "sqlite": 5_000.0}


@dataclass(frozen=True, slots=True)
class Figure:
    """One line of the summary: LeadPulse's number, its baseline, the ratio and the target."""

    name: str
    unit: str
    leadpulse: float
    baseline: float
    baseline_name: str
    target: str
    met: bool

    @property
    def ratio(self) -> float:
        """LeadPulse / baseline."""
        return self.leadpulse / self.baseline if self.baseline else 0.0


def machine() -> dict[str, Any]:
    """Describe the machine: cores, CPU model, RAM, OS, Python."""
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    ram = 0.0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        ram = int(meminfo.read_text().split("MemTotal:")[1].split()[0]) / 1024 / 1024
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "ram_gib": round(ram, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def _throughput_figures(backend: str, raw: dict[str, Any]) -> list[Figure]:
    single, batch, e2e = raw["single"], raw["batch"], raw["e2e"]
    ingest, noop = single["ingest"]["rps"], single["noop"]["rps"]
    e2e_rate = float(e2e["events_per_s"])
    return [
        Figure("1. single-event ingest", "req/s", ingest, noop, "/bench/noop (same server)",
               "≥ 60 %", ingest >= 0.6 * noop),
        Figure("2. batch ingest (500/request)", "events/s", batch["events_per_s"],
               batch["baseline_rows_per_s"],
               "COPY" if backend == "postgres" else "sqlite3 executemany",
               "≥ 40 %", batch["events_per_s"] >= 0.4 * batch["baseline_rows_per_s"]),
        Figure("3. end-to-end, 1 worker", "events/s", e2e_rate, batch["events_per_s"],
               "batch ingest alone", f"≥ {E2E_TARGET[backend]:,.0f}/s",
               e2e_rate >= E2E_TARGET[backend]),
    ]  # fmt: skip


def _latency_figures(raw: dict[str, Any]) -> list[Figure]:
    paced, steady = raw["single"]["paced"], raw["e2e"]["steady"]
    p99 = paced["ingest"]["p99_ms"]
    scored = steady["scored_p99_ms"]
    return [
        Figure("1. p99 at 1,000 req/s offered", "ms", p99, paced["noop"]["p99_ms"],
               "/bench/noop p99", "≤ 50 ms", p99 <= 50),
        Figure("3. ingest→scored p99 at 2k ev/s", "ms", scored, steady["http_p99_ms"],
               "HTTP p99 of those batches", "≤ 2,000 ms", scored <= 2000),
    ]  # fmt: skip


def _memory_figures(raw: dict[str, Any]) -> list[Figure]:
    api = max(raw[p]["server_rss_mb"]["peak"] for p in ("single", "batch", "e2e"))
    idle = raw["single"]["server_rss_mb"]["idle"]
    worker = raw["e2e"]["worker_rss_mb"]
    return [
        Figure("4. peak RSS, API", "MB", api, idle, "API idle after start", "≤ 300 MB",
               api <= 300),
        Figure("4. peak RSS, worker", "MB", worker["peak"], worker["idle"],
               "idle after start", "≤ 300 MB", worker["peak"] <= 300),
    ]  # fmt: skip


def figures(backend: str, raw: dict[str, Any]) -> list[Figure]:
    """Compute every figure of one backend's run."""
    from leadpulse.benchmark import imports  # imports.py builds on this module's Figure

    found = _throughput_figures(backend, raw) + _latency_figures(raw) + _memory_figures(raw)
    found += imports.figures(raw)
    return sorted(found, key=lambda f: f.name[:2])


def as_json(figs: list[Figure]) -> list[dict[str, Any]]:
    """Serialise figures (with their ratio)."""
    return [asdict(f) | {"ratio": round(f.ratio, 3)} for f in figs]


def _fmt(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value:,.1f} ms"
    if unit == "MB":
        return f"{value:,.0f} MB"
    return f"{value:,.0f} {unit}"


def table(backend: str, figs: list[Figure]) -> Table:
    """Render the summary as a rich table."""
    out = Table(title=f"LeadPulse benchmark — {backend}")
    for column in ("figure", "LeadPulse", "baseline (same run)", "ratio", "target", "met"):
        out.add_column(column)
    for f in figs:
        out.add_row(
            f.name,
            _fmt(f.leadpulse, f.unit),
            f"{_fmt(f.baseline, f.unit)} ({f.baseline_name})",
            f"{f.ratio:.0%}" if f.unit != "ms" else f"{f.ratio:.1f}×",
            f.target,
            "yes" if f.met else "[bold red]NO[/]",
        )
    return out


def markdown(backend: str, figs: list[Figure]) -> str:
    """Render the summary as a Markdown table (for the READMEs)."""
    lines = [
        f"| {backend} | LeadPulse | baseline (same run) | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for f in figs:
        ratio = f"{f.ratio:.0%}" if f.unit != "ms" else f"{f.ratio:.1f}×"
        lines.append(
            f"| {f.name} | {_fmt(f.leadpulse, f.unit)} | {_fmt(f.baseline, f.unit)} "
            f"({f.baseline_name}) | {ratio} | {f.target} | {'yes' if f.met else '**no**'} |"
        )
    return "\n".join(lines)
