"""Projects (tenants): creation with seeded defaults, settings, API keys."""
