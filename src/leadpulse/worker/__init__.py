"""The scoring worker: claims lead jobs, scores in event-time order, runs background loops.

``loop`` (``Worker``: claim slots, burst drain, heartbeats) · ``scoring`` (one scoring
transaction: load → plan → write, and the path of an event from route to history row) ·
``load`` and ``write`` (its two I/O halves; the plan is ``core.planner``) · ``health``.
"""
