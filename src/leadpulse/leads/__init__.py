"""leads feature."""
