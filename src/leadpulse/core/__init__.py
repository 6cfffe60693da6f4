"""Pure scoring domain: rules, stages, fold, planner, decay, velocity, intelligence, identity,
automations.

Nothing here performs I/O or imports a framework; every clock is passed in as ``now``.
"""
