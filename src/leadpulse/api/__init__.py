"""HTTP layer: app factory, dependencies, problem+json error mapping, middleware."""
