"""Inbound webhooks: other tools (forms, billing, product back ends) post signed events."""
