"""Reading a Prometheus text-format scrape: samples by name and labels.

Imported as ``metrics_support`` (a unique name: several ``conftest`` modules exist).
"""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    """Map (sample name, labels) to its value for every sample of a scrape."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """The value of one sample (0 when the scrape does not have it)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def names(samples: Samples) -> set[str]:
    """Every sample name of a scrape (``_bucket``, ``_sum``, ``_count`` included)."""
    return {name for name, _ in samples}
