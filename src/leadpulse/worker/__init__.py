"""The scoring worker: claims lead jobs, scores in event-time order, runs background loops."""
