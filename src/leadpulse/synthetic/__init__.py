"""Seeded synthetic projects for tests, benchmarks and demos (see ``generator``)."""
