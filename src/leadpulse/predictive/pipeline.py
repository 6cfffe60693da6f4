"""Train a conversion or churn model from a project's leads: the entry point for a job.

::

    task = TrainingTask(goal=goal, rules=rules, as_of=now)
    result = train_model(source, task, progress=report)
    result.model.to_dict()   # the artifact: plain JSON, scored by core.likelihood
    result.card.to_dict()    # the model card

Steps: summarise the leads (unless a ``DataSummary`` is given) -> lay out the snapshot dates
(``core.targets.time_split``) and the feature spec -> build the rows in one streaming pass
-> check the minimums (``TrainingRefused`` with a reason) -> standardise -> fit -> evaluate
on the held-out period -> model and card. ``prepare`` and ``fit_and_evaluate`` are the two
halves, for callers (and tests) that want to look at the rows in between.

Importing this module costs nothing: numpy and scikit-learn are imported inside the
functions that need them, so the API process can import it (to call a job, say) without
loading them. The call is synchronous and CPU-bound; a job runs it in a worker thread or
process and owns any database transaction around it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from leadpulse.core.features import FeatureSpec, choose_vocabulary
from leadpulse.core.likelihood import LinearModel
from leadpulse.core.readiness import check_counts, no_goal, window_too_short
from leadpulse.core.rules import rule_index
from leadpulse.core.targets import ConversionGoal, Goal, time_split
from leadpulse.predictive.card import ModelCard
from leadpulse.predictive.errors import TrainingRefused
from leadpulse.predictive.options import TrainingOptions, TrainingTask
from leadpulse.predictive.source import (
    DataSummary,
    HistorySource,
    Progress,
    no_progress,
    summarise,
)

if TYPE_CHECKING:
    from leadpulse.predictive.dataset import Dataset, Layout

MODEL_KIND = "logistic_regression_l2"


@dataclass(frozen=True, slots=True)
class TrainingResult:
    """A trained model and its card."""

    model: LinearModel
    card: ModelCard


def _excluded(goal: Goal) -> tuple[str, ...]:
    if isinstance(goal, ConversionGoal) and goal.event_type is not None:
        return (goal.event_type,)
    return ()


def _layout(task: TrainingTask, goal: Goal, summary: DataSummary) -> Layout:
    from leadpulse.predictive.dataset import Layout

    plan, options = task.options.plan, task.options
    needed = plan.warmup_days + 2 * goal.horizon.days
    if summary.first_event_at is None:
        raise TrainingRefused(window_too_short(span_days=0, needed_days=needed))
    dates = time_split(
        data_start=summary.first_event_at, as_of=task.as_of, horizon=goal.horizon, plan=plan
    )
    if not dates.train:
        span = (task.as_of - summary.first_event_at).total_seconds() / 86_400
        raise TrainingRefused(window_too_short(span_days=span, needed_days=needed))
    vocabulary = options.vocabulary or choose_vocabulary(
        summary.type_counts,
        exclude=_excluded(goal),
        max_types=options.max_event_types,
        min_count=options.min_type_count,
    )
    index = rule_index(task.rules)
    spec = FeatureSpec(
        vocabulary=vocabulary, rule_points=tuple((t, r.points) for t, r in sorted(index.items()))
    )
    return Layout(goal, spec, dates, index, task.thresholds, options)


def prepare(
    source: HistorySource,
    task: TrainingTask,
    *,
    summary: DataSummary | None = None,
    progress: Progress = no_progress,
) -> Dataset:
    """Build and check the standardised snapshot rows, or raise ``TrainingRefused``."""
    if task.goal is None:
        raise TrainingRefused(no_goal())
    summary = summary or summarise(source(), progress)
    layout = _layout(task, task.goal, summary)
    from leadpulse.predictive.dataset import build, class_counts

    dataset = build(layout, source, summary.leads, progress)
    refusal = check_counts(class_counts(dataset), task.options.minimums)
    if refusal is not None:
        raise TrainingRefused(refusal)
    dataset.standardise()
    return dataset


def _settings(dataset: Dataset, options: TrainingOptions) -> dict[str, Any]:
    plan = options.plan
    return {
        "model": MODEL_KIND,
        "regularisationC": options.regularisation,
        "features": len(dataset.spec.names()),
        "eventTypes": len(dataset.spec.vocabulary),
        "stepDays": plan.step_days,
        "warmupDays": plan.warmup_days,
        "testFraction": plan.test_fraction,
        "trainSnapshotsPerLead": options.train_per_lead,
        "testSnapshotsPerLead": options.test_per_lead,
    }


def fit_and_evaluate(
    dataset: Dataset, task: TrainingTask, *, progress: Progress = no_progress
) -> TrainingResult:
    """Fit the model on the training rows and write its card from the held-out rows."""
    progress("fit", 0, 1)
    from leadpulse.predictive.evaluation import build_card
    from leadpulse.predictive.fitting import challenger_scores, fit_logistic

    options, as_of = task.options, task.as_of
    settings = _settings(dataset, options)
    model, notes = fit_logistic(dataset, options, {"asOf": as_of.isoformat(), **settings})
    extra = {"gradient_boosting": challenger_scores(dataset)} if options.challenger else {}
    progress("fit", 1, 1)
    progress("evaluate", 0, 1)
    card = build_card(model, dataset, as_of=as_of, extra=extra, notes=notes, settings=settings)
    model = dataclasses.replace(
        model,
        metadata={**model.metadata, "heldOutRocAuc": card.metrics["model"].roc_auc},
    )
    progress("evaluate", 1, 1)
    return TrainingResult(model=model, card=card)


def train_model(
    source: HistorySource,
    task: TrainingTask,
    *,
    summary: DataSummary | None = None,
    progress: Progress = no_progress,
) -> TrainingResult:
    """Train a model for the task's goal from the project's leads; refuse when data is short."""
    dataset = prepare(source, task, summary=summary, progress=progress)
    return fit_and_evaluate(dataset, task, progress=progress)
