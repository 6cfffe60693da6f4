"""ingest feature."""
