"""The ``leadpulse bench`` harness: workload, load generation, baselines and the report."""
