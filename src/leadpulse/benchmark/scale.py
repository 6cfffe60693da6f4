"""``leadpulse bench scale``: the read paths at 1 M leads / 10 M events (PostgreSQL only).

Opt-in (never part of ``make test`` or ``bench run``). One project is seeded straight into a
fresh database with ``COPY`` (asyncpg ``copy_records_to_table``, in chunks so the seeding
process stays small): ``--leads`` leads with names, e-mails and companies, scores and
stages; ``--events`` events spread over them (processed, timestamps over 30 days) and one
``rule`` history row per event for the leads whose timeline and history are read. Then
``VACUUM ANALYZE`` and, through the real API process over HTTP (JWT of the project's
owner), ``--repeat`` timed requests per query after a warm-up: the leads list (default sort,
``stage=``, ``sort=-score``, ``sort=name``, a deep ``offset``), ``q=`` search on name,
e-mail and company, the leaderboard and by-stage counts, a lead's timeline and history,
and the dashboard analytics. p50/p99 per query, the API's peak RSS and this process's.
"""

from __future__ import annotations

import json
import random
import resource
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx

from leadpulse.benchmark import measure
from leadpulse.benchmark.stack import Backend, fresh_database, sign_up, start_server

CHUNK = 50_000
HISTORY_LEADS = 50  # leads whose events also get history rows (read by timeline/history)
FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia")
LAST = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson")
TYPES = ("page_view", "page_view", "page_view", "email_open", "form_submit", "download")
STAGE_OF = ((80, "qualified"), (50, "hot"), (20, "warm"), (0, "cold"))
TARGETS_MS = {"timeline": 20.0, "history": 20.0, "dashboard": 200.0}
DEFAULT_TARGET_MS = 50.0
Progress = Callable[[str, int, int], None]
EPOCH = datetime(2026, 11, 1, tzinfo=UTC)


def _stage(score: int) -> str:
    return next(stage for floor, stage in STAGE_OF if score >= floor)


def _lead_rows(project_id: int, start: int, stop: int, rng: random.Random) -> list[tuple[Any, ...]]:
    rows = []
    for i in range(start, stop):
        score = int(rng.paretovariate(1.5) * 8) % 120
        seen = EPOCH + timedelta(seconds=rng.randrange(30 * 86_400))
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}"
        rows.append(
            (i, project_id, f"anon-{i:09d}", f"user{i}@company{i % 5000}.example", name,
             f"Company {i % 5000} Ltd", "{}", score, score, _stage(score), 0, 0, 10,
             seen, f"{seen.isoformat()}|e{i}", seen - timedelta(days=1), seen)
        )  # fmt: skip
    return rows


LEAD_COLUMNS = (
    "id", "project_id", "anonymous_id", "email", "name", "company", "traits", "score",
    "base_score", "stage", "events_last_24h", "velocity_score", "event_count",
    "last_event_at", "last_event_key", "created_at", "updated_at",
)  # fmt: skip
EVENT_COLUMNS = (
    "id", "project_id", "lead_id", "event_id", "event_type", "timestamp", "received_at",
    "session_id", "properties", "processed", "processed_at",
)  # fmt: skip
HISTORY_COLUMNS = (
    "project_id", "lead_id", "event_row_id", "event_id", "event_type", "event_timestamp",
    "cause", "points", "old_score", "new_score", "delta", "created_at",
)  # fmt: skip


def _event_rows(
    project_id: int, leads: int, start: int, stop: int, rng: random.Random
) -> list[tuple[Any, ...]]:
    rows = []
    for i in range(start, stop):
        at = EPOCH + timedelta(seconds=i * 30 * 86_400 // max(1, stop) + rng.randrange(60))
        rows.append(
            (i, project_id, i % leads + 1, f"ev-{i:010d}", rng.choice(TYPES), at, at,
             f"s{i // 50}", '{"path": "/pricing"}', True, at)
        )  # fmt: skip
    return rows


async def _copy_chunks(
    conn: Any,
    table: str,
    columns: tuple[str, ...],
    total: int,
    make: Callable[[int, int], list[tuple[Any, ...]]],
    progress: Progress,
) -> None:
    for start in range(1, total + 1, CHUNK):
        stop = min(total + 1, start + CHUNK)
        await conn.copy_records_to_table(table, records=make(start, stop), columns=columns)
        progress(table, stop - 1, total)


async def _drop_secondary_indexes(conn: Any) -> list[str]:
    """Drop the non-constraint indexes of leads and events (built once after the COPY,
    much faster than maintaining four GIN trigram indexes row by row); return their DDL."""
    rows = await conn.fetch(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i "
        "WHERE i.tablename IN ('leads', 'events') AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
    )
    for row in rows:
        await conn.execute(f'DROP INDEX "{row["indexname"]}"')
    return [str(row["indexdef"]) for row in rows]


async def _history(conn: Any, project_id: int, leads: int) -> list[int]:
    """One ``rule`` row per event of a few leads (what timeline and history read)."""
    sample = list(range(1, leads + 1, max(1, leads // HISTORY_LEADS)))[:HISTORY_LEADS]
    events = await conn.fetch(
        "SELECT id, lead_id, event_id, event_type, timestamp FROM events "
        "WHERE lead_id = ANY($1::bigint[]) ORDER BY lead_id, timestamp",
        sample,
    )
    rows = [
        (project_id, e["lead_id"], e["id"], e["event_id"], e["event_type"], e["timestamp"],
         "rule", 1, 0, 1, 1, e["timestamp"])
        for e in events
    ]  # fmt: skip
    await conn.copy_records_to_table("score_history", records=rows, columns=HISTORY_COLUMNS)
    return sample


async def seed(
    database: str, *, project_id: int, leads: int, events: int, progress: Progress
) -> list[int]:
    """Seed the project (see the module docstring); return the leads with history."""
    rng = random.Random(7)
    conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}")
    try:
        await conn.execute("SET synchronous_commit = off")
        await conn.execute("SET maintenance_work_mem = '256MB'")
        secondary = await _drop_secondary_indexes(conn)
        await _copy_chunks(
            conn, "leads", LEAD_COLUMNS, leads,
            lambda a, b: _lead_rows(project_id, a, b, rng), progress,
        )  # fmt: skip
        await _copy_chunks(
            conn, "events", EVENT_COLUMNS, events,
            lambda a, b: _event_rows(project_id, leads, a, b, rng), progress,
        )  # fmt: skip
        await conn.execute("SELECT setval('leads_id_seq', (SELECT max(id) FROM leads))")
        await conn.execute("SELECT setval('events_id_seq', (SELECT max(id) FROM events))")
        for done, definition in enumerate(secondary):
            progress("building indexes", done, len(secondary))
            await conn.execute(definition)
        sample = await _history(conn, project_id, leads)
        progress("vacuum analyze", 0, 1)
        await conn.execute("VACUUM ANALYZE leads")
        await conn.execute("VACUUM ANALYZE events")
        await conn.execute("VACUUM ANALYZE score_history")
        progress("vacuum analyze", 1, 1)
    finally:
        await conn.close()
    return sample


def queries(leads: int, sample: list[int]) -> dict[str, Callable[[int], str]]:
    """Name → the path of request ``i`` (search terms and leads vary per request)."""
    deep = max(0, leads - 1_000)
    return {
        "list (default sort)": lambda i: "/api/leads?limit=50",
        "list stage=hot": lambda i: "/api/leads?limit=50&stage=hot",
        "list sort=-score": lambda i: "/api/leads?limit=50&sort=-score",
        "list sort=name": lambda i: "/api/leads?limit=50&sort=name",
        f"list offset={deep:,}": lambda i: f"/api/leads?limit=50&sort=name&offset={deep}",
        "search q= name": lambda i: f"/api/leads?limit=50&q=hopper%20{1000 + i * 7919 % leads}",
        "search q= e-mail": lambda i: f"/api/leads?limit=50&q=user{1000 + i * 104729 % leads}%40",
        "search q= company": lambda i: f"/api/leads?limit=50&q=company%20{i * 37 % 5000}%20",
        "leaderboard": lambda i: "/api/leaderboard?limit=10",
        "by-stage counts": lambda i: "/api/leaderboard/by-stage",
        "timeline": lambda i: f"/api/leads/{sample[i % len(sample)]}/timeline",
        "history": lambda i: f"/api/leads/{sample[i % len(sample)]}/history?limit=50",
        "dashboard": lambda i: "/api/analytics/dashboard",
    }


async def _time(client: httpx.AsyncClient, path: Callable[[int], str], repeat: int) -> list[float]:
    for i in range(3):  # warm-up: plans cached, pages in the buffer cache
        (await client.get(path(i))).raise_for_status()
    timings = []
    for i in range(repeat):
        started = time.perf_counter()
        (await client.get(path(i + 3))).raise_for_status()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def target_ms(name: str) -> float:
    """The p99 target of a query."""
    return TARGETS_MS.get(name.split(" ")[0], DEFAULT_TARGET_MS)


async def run_scale(
    backend: Backend, *, leads: int, events: int, repeat: int, progress: Progress
) -> dict[str, Any]:
    """Seed, then time every query; return the result (figures and raw timings)."""
    await fresh_database(backend)
    server = await start_server(backend, embedded_worker=False)
    try:
        token, project_id = await sign_up(backend.port, "scale")
        started = time.monotonic()
        sample = await seed(
            backend.database, project_id=project_id, leads=leads, events=events, progress=progress
        )
        seeded_s = time.monotonic() - started
        results: dict[str, Any] = {}
        headers = {"Authorization": f"Bearer {token}"}
        base = f"http://127.0.0.1:{backend.port}"
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as client:
            named = queries(leads, sample)
            for done, (name, path) in enumerate(named.items()):
                progress(f"timing {name}", done, len(named))
                timings = await _time(client, path, repeat)
                p99 = measure.percentile(timings, 99)
                results[name] = {
                    "p50_ms": round(measure.percentile(timings, 50), 1),
                    "p99_ms": round(p99, 1),
                    "target_p99_ms": target_ms(name),
                    "met": p99 <= target_ms(name),
                }
        server_rss = {"idle": round(server.idle_rss_mb, 1), "peak": round(server.peak_rss_mb(), 1)}
    finally:
        server.stop()
    own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "leads": leads,
        "events": events,
        "repeat": repeat,
        "seed_s": round(seeded_s, 1),
        "seed_rows_per_s": round((leads + events) / seeded_s) if seeded_s else 0,
        "queries": results,
        "api_rss_mb": server_rss,
        "bench_process_peak_rss_mb": round(own_peak, 1),
    }


def rows_of(result: dict[str, Any]) -> Iterator[tuple[str, str, str, str, str]]:
    """Table rows: query, p50, p99, target, met."""
    for name, q in result["queries"].items():
        met = "yes" if q["met"] else "**no**"
        yield name, f"{q['p50_ms']:,.1f}", f"{q['p99_ms']:,.1f}", f"≤ {q['target_p99_ms']:g}", met


def dumps(result: dict[str, Any]) -> str:
    """Serialise a result."""
    return json.dumps(result, indent=2) + "\n"
