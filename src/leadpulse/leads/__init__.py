"""Leads: lists and details (``service``), activity and timelines, identity resolution and
merges (``identity``), score history (``history``, the owner of ``score_history``), decay,
CSV and GDPR export and erasure."""
