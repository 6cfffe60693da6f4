"""Every list and search statement of the leads list is answered from an index on
PostgreSQL (no Seq Scan on leads), so it stays fast at 1 M leads (``leadpulse bench scale``).

A few thousand rows are seeded and VACUUM ANALYZEd; ``enable_seqscan = off`` makes the plan
deterministic at this size (a planner that *can* use an index will). A statement without a
usable index then shows a Seq Scan or an index walked end to end with a filter (no ``Index
Cond``); a search must read each column's trigram index — e.g. ``q=`` before the anonymous
id got its trigram index (migration 0005) walked the whole score index.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import insert, text
from sqlalchemy.dialects import postgresql

from leadpulse.leads import service
from leadpulse.leads.service import LeadFilters
from leadpulse.store.db import Database
from leadpulse.store.models import Lead

pytestmark = pytest.mark.postgres
STAGES = ("cold", "warm", "hot", "qualified")
FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Radia")
LAST = (
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Perlman",
    "Allen",
    "Ritchie",
    "Kay",
    "Thompson",
)


@pytest.fixture
def database_url(pg_database_url: str) -> str:
    return pg_database_url


async def _seed(db: Database, project_id: int, count: int = 5_000) -> None:
    rows = [
        {
            "project_id": project_id,
            "anonymous_id": f"anon-{i:06d}",
            "email": f"user{i}@company{i % 97}.example",
            "name": f"{FIRST[i % 7]} {LAST[i % 11]} {i}",
            "company": f"Company {i % 997}.",
            "traits": {},
            "score": i % 113,
            "stage": STAGES[i % 4],
        }
        for i in range(count)
    ]
    async with db.transaction() as session:
        await session.execute(insert(Lead), rows)
    # VACUUM also merges the GIN pending lists, which the planner would otherwise cost in
    async with db.engine.connect() as conn:
        auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await auto.execute(text("VACUUM ANALYZE leads"))


async def _plan(db: Database, statement: Any) -> str:
    sql = statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    async with db.transaction() as session:
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        rows = await session.execute(text(f"EXPLAIN {sql}"))
        return "\n".join(row[0] for row in rows)


LISTS = [
    pytest.param(LeadFilters(), "-score", id="default sort"),
    pytest.param(LeadFilters(), "score", id="sort=score"),
    pytest.param(LeadFilters(), "name", id="sort=name"),
    pytest.param(LeadFilters(), "-createdAt", id="sort=-createdAt"),
    pytest.param(LeadFilters(), "-lastEventAt", id="sort=-lastEventAt"),
    pytest.param(LeadFilters(stage="hot"), "-score", id="stage=hot"),
    pytest.param(LeadFilters(min_score=100), "-score", id="minScore"),
    pytest.param(LeadFilters(q="hopper 1234"), "-score", id="q= name"),
    pytest.param(LeadFilters(q="user1234@"), "-score", id="q= e-mail"),
    pytest.param(LeadFilters(q="company 42."), "name", id="q= company, sort=name"),
    pytest.param(LeadFilters(q="anon-01234"), "-score", id="q= anonymous id"),
]


@pytest.mark.parametrize(("filters", "sort"), LISTS)
async def test_list_and_count_use_indexes(
    db: Database, signup: Any, filters: LeadFilters, sort: str
) -> None:
    account = await signup()
    await _seed(db, account.project_id)
    count, page = service.list_queries(
        project_id=account.project_id, filters=filters, sort=sort, limit=50, offset=100
    )

    for statement in (page, count):
        plan = await _plan(db, statement)
        assert "Seq Scan on leads" not in plan, plan
        assert "Index Cond" in plan, plan  # an index narrows the rows, not only orders them
        if filters.q:  # every searched column from its trigram index (a BitmapOr of four)
            for column in ("name", "email", "company", "anonymous_id"):
                assert f"ix_leads_{column}_trgm" in plan, plan
