"""The lead-job queue: claims in the database, wake-ups in-process or through Redis."""
