"""rules feature."""
