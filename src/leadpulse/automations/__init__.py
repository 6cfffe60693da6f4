"""automations feature."""
