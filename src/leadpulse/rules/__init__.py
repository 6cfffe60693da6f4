"""Scoring rules and stage thresholds: CRUD and rescore jobs (``service``), and the one loader
of rules and thresholds with the worker's cache (``rulebook``)."""
