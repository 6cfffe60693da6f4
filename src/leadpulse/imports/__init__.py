"""Historical import: files of past events (CSV, NDJSON, Segment export) streamed into ingest."""
