"""The live-frame coalescer (``live.batching``): pure, the clock passed in."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from leadpulse.live.batching import Coalescer, FrameBatcher
from leadpulse.live.frames import LeadUpdatedFrame, LiveFrame, NewEventFrame

T0 = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
WINDOW = 0.1


def lead(
    lead_id: int = 7, score: int = 10, previous: int = 0, **overrides: Any
) -> LeadUpdatedFrame:
    fields: dict[str, Any] = {
        "id": lead_id,
        "anonymous_id": f"anon-{lead_id}",
        "email": None,
        "name": None,
        "current_score": score,
        "lead_stage": "warm" if score >= 40 else "cold",
        "velocity_score": 1,
        "events_last_24h": 1,
        "last_event_at": T0,
        "previous_score": previous,
        "previous_stage": "warm" if previous >= 40 else "cold",
    }
    return LeadUpdatedFrame(**{**fields, **overrides})


def event(n: int) -> NewEventFrame:
    return NewEventFrame(
        event_id=f"evt-{n}",
        lead_id=7,
        event_type="page_view",
        anonymous_id="anon-7",
        timestamp=T0,
        received_at=T0,
    )


def test_a_burst_for_one_lead_becomes_one_frame_with_the_whole_move() -> None:
    batch = Coalescer(window=WINDOW, cap=50)
    for n in range(500):  # 0→1, 1→2, … 499→500 within the window
        batch.offer(1, lead(score=n + 1, previous=n), now=10.0 + n * 0.0001)

    assert batch.take(10.0 + WINDOW - 0.001) == []  # the window is still open
    sent = batch.take(10.0 + WINDOW)

    assert sent == [(1, lead(score=500, previous=0))]
    assert sent[0][1].lead_stage == "warm" and sent[0][1].previous_stage == "cold"


def test_each_lead_and_project_gets_its_own_frame_in_order_of_first_appearance() -> None:
    batch = Coalescer(window=WINDOW, cap=50)
    batch.offer(1, lead(8, score=5), now=0.0)
    batch.offer(1, lead(7, score=5), now=0.01)
    batch.offer(2, lead(7, score=9), now=0.02)  # same lead id, another project
    batch.offer(1, lead(8, score=6, previous=5), now=0.03)

    sent = batch.take(WINDOW)

    assert [(p, f.id, f.current_score) for p, f in sent] == [(1, 8, 6), (1, 7, 5), (2, 7, 9)]


def test_other_frames_keep_the_latest_cap_per_project_and_type() -> None:
    batch = Coalescer(window=WINDOW, cap=50)
    for n in range(120):
        batch.offer(1, event(n), now=0.0)
    batch.offer(2, event(999), now=0.0)

    sent = batch.take(WINDOW)

    assert [f.event_id for p, f in sent if p == 1] == [f"evt-{n}" for n in range(70, 120)]
    assert [f.event_id for p, f in sent if p == 2] == ["evt-999"]
    assert batch.dropped == 70


def test_a_window_opens_with_the_first_frame_after_a_flush() -> None:
    batch = Coalescer(window=WINDOW, cap=50)
    assert batch.due_at() is None
    batch.offer(1, lead(score=1), now=5.0)
    assert batch.take(5.0 + WINDOW) != []

    batch.offer(1, lead(score=2, previous=1), now=7.0)

    assert batch.due_at() == 7.0 + WINDOW
    assert batch.take(7.0 + WINDOW / 2) == []


def test_force_takes_an_open_window_and_zero_window_is_due_at_once() -> None:
    batch = Coalescer(window=0.0, cap=50)
    batch.offer(1, lead(), now=3.0)
    assert batch.take(3.0) == [(1, lead())]

    batch = Coalescer(window=60.0, cap=50)
    batch.offer(1, lead(), now=3.0)
    assert batch.take(3.0, force=True) == [(1, lead())]
    assert batch.take(3.0, force=True) == []


offers = st.lists(
    st.tuples(st.integers(1, 3), st.floats(0, 0.25), st.booleans()),  # lead, gap, take after
    min_size=1,
    max_size=60,
)


@given(offers)
def test_the_last_state_of_every_lead_is_sent_and_frames_are_a_window_apart(
    steps: list[tuple[int, float, bool]],
) -> None:
    batch = Coalescer(window=WINDOW, cap=5)
    now, last_offered, sent = 0.0, {}, []
    for n, (lead_id, gap, take_after) in enumerate(steps):
        now += gap
        frame = lead(lead_id, score=n)
        batch.offer(1, frame, now)
        last_offered[lead_id] = n
        if take_after:
            sent += [(now, f) for _, f in batch.take(now)]
    # Closing sends the open window at once; it is the only frame allowed to come early.
    sent += [(now + WINDOW, f) for _, f in batch.take(now, force=True)]

    last_sent = {f.id: f.current_score for _, f in sent if isinstance(f, LeadUpdatedFrame)}
    assert last_sent == last_offered
    for lead_id in last_offered:
        times = [at for at, f in sent if f.id == lead_id]
        assert all(b - a >= WINDOW - 1e-9 for a, b in pairwise(times))


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[int, LiveFrame]] = []

    async def emit(self, frame: LiveFrame, project_id: int) -> None:
        self.sent.append((project_id, frame))

    async def close(self) -> None:
        pass


async def test_closing_the_batcher_sends_the_open_window() -> None:
    recorder = Recorder()
    batcher = FrameBatcher(Coalescer(window=3600.0, cap=50), lambda: recorder)
    batcher.offer(1, lead(score=1))
    batcher.offer(1, lead(score=2, previous=1))

    await batcher.close()

    assert recorder.sent == [(1, lead(score=2, previous=0))]
