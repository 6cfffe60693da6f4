"""Fixtures for the leads tests: the shared row factories of ``factories.py`` (no pipeline)."""

from __future__ import annotations

from typing import Any

import pytest
from factories import make_event, make_history, make_lead, make_project

from leadpulse.store.db import Database


@pytest.fixture
async def project_id(db: Database) -> int:
    """A project created directly in the database."""
    return await make_project(db)


@pytest.fixture(name="make_lead")
def make_lead_fixture() -> Any:
    """``make_lead(db, project_id, **overrides)``."""
    return make_lead


@pytest.fixture(name="make_event")
def make_event_fixture() -> Any:
    """``make_event(db, project_id, lead_id, **overrides)``."""
    return make_event


@pytest.fixture(name="make_history")
def make_history_fixture() -> Any:
    """``make_history(db, project_id, lead_id, **overrides)``."""
    return make_history


@pytest.fixture(name="make_project")
def make_project_fixture() -> Any:
    """``make_project(db, **overrides)`` → project id."""
    return make_project
