"""analytics feature."""
