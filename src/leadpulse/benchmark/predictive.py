"""Predictive phase: train a conversion model on 100k synthetic leads x 30 days of events.

``run_predictive()`` starts ``python -m leadpulse.benchmark.predictive`` in a child process so
that the peak RSS it reports (``ru_maxrss`` of that process) is the training's own, not the
bench runner's, and returns the child's figures. The child streams the synthetic project lead
by lead (``leadpulse.synthetic``; no project is ever held in memory), runs the same
``train_model`` a background job will run, and prints one JSON object: seconds per phase
(``summarise`` and ``features`` include regenerating the project, which a database job
replaces by reading), rows, event count, peak RSS and the held-out AUCs of the model and the
two baselines. Its numbers are absolute (time, MB), measured on the machine at hand; there is
no same-run baseline for training.

A 30-day history fits a training period, an embargo and a test period only with a short
horizon, so the goal is ``contract_signed`` within 7 days (snapshots on days 9 and 16 for
training, day 23 held out).

Run it alone: ``python -m leadpulse.benchmark.predictive --leads 100000 --days 30``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from leadpulse.core.features import LeadHistory
from leadpulse.core.rules import default_rules
from leadpulse.core.targets import ConversionGoal
from leadpulse.synthetic.generator import SyntheticSpec, histories

LEADS = 100_000
DAYS = 30
HORIZON_DAYS = 7
SEED = 20261201
TIMEOUT_S = 1_800


def peak_rss_mb() -> float:
    """Return this process's peak resident set size in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Clock:
    """Times each progress phase from its first report to the next phase's first report."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.phases: dict[str, float] = {}
        self._current: str | None = None
        self._since = self.started

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase == self._current:
            return
        self._close()
        self._current, self._since = phase, time.perf_counter()

    def _close(self) -> None:
        if self._current is not None:
            self.phases[self._current] = round(time.perf_counter() - self._since, 2)

    def finish(self) -> float:
        self._close()
        self._current = None
        return round(time.perf_counter() - self.started, 2)


def _counting(spec: SyntheticSpec, tally: list[int]) -> Callable[[], Iterator[LeadHistory]]:
    def source() -> Iterator[LeadHistory]:
        tally[0] = 0
        for history in histories(spec):
            tally[0] += len(history.events)
            yield history

    return source


def train_once(*, leads: int, days: int, seed: int, horizon_days: int) -> dict[str, Any]:
    """Train on a synthetic project in this process; return timings, sizes and metrics."""
    from leadpulse.predictive.options import TrainingTask
    from leadpulse.predictive.pipeline import train_model

    spec = SyntheticSpec(leads=leads, days=days, seed=seed)
    tally = [0]
    clock = _Clock()
    goal = ConversionGoal(event_type="contract_signed", horizon_days=horizon_days)
    task = TrainingTask(goal=goal, rules=default_rules(), as_of=spec.end)
    result = train_model(_counting(spec, tally), task, progress=clock)
    total = clock.finish()
    card = result.card
    return {
        "leads": leads,
        "days": days,
        "seed": seed,
        "events": tally[0],
        "train_rows": card.train.rows,
        "test_rows": card.test.rows,
        "features": len(result.model.feature_names),
        "seconds": {**clock.phases, "total": total},
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "roc_auc": {name: round(m.roc_auc, 4) for name, m in card.metrics.items()},
        "warnings": list(card.warnings),
    }


def run_predictive(
    *,
    leads: int = LEADS,
    days: int = DAYS,
    seed: int = SEED,
    horizon_days: int = HORIZON_DAYS,
    timeout: float = TIMEOUT_S,
) -> dict[str, Any]:
    """Run the training benchmark in a fresh child process and return its figures."""
    args = ["--leads", str(leads), "--days", str(days), "--seed", str(seed)]
    args += ["--horizon-days", str(horizon_days)]
    done = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "leadpulse.benchmark.predictive", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def summary_lines(figures: dict[str, Any]) -> list[str]:
    """Return the figures as short human-readable lines for the bench table."""
    seconds = figures["seconds"]
    auc = figures["roc_auc"]
    return [
        f"training on {figures['leads']:,} leads x {figures['days']} days "
        f"({figures['events']:,} events, {figures['train_rows']:,} training rows): "
        f"{seconds['total']} s, peak RSS {figures['peak_rss_mb']} MB",
        "phases: " + ", ".join(f"{k} {v} s" for k, v in seconds.items() if k != "total"),
        "held-out ROC AUC: " + ", ".join(f"{k} {v}" for k, v in auc.items()),
    ]


def main(argv: list[str] | None = None) -> None:
    """Train once and print the figures as one JSON line (the child process side)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--leads", type=int, default=LEADS)
    parser.add_argument("--days", type=int, default=DAYS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--horizon-days", type=int, default=HORIZON_DAYS)
    ns = parser.parse_args(argv)
    figures = train_once(leads=ns.leads, days=ns.days, seed=ns.seed, horizon_days=ns.horizon_days)
    sys.stdout.write(json.dumps(figures) + "\n")


if __name__ == "__main__":
    main()
