"""Live frames batched per window: a burst costs a few frames, never one per event.

``Coalescer`` (pure, the clock passed in) collects the frames offered during one window,
``LEADPULSE_LIVE_BATCH_MS`` long, opened by the first frame after the previous flush; at its
end everything collected is sent, in the order each lead or stream first appeared:

- ``leadUpdated`` is coalesced per lead: one frame per lead per window, carrying the latest
  state and the ``previousScore``/``previousStage`` of the window's first frame, so the
  client sees the whole move the window made. A burst of 500 scoring transactions for one
  lead reaches the dashboard as one frame.
- Every other frame (``newEvent``, ``scoreMutation``, ``leadMerged``,
  ``automationExecuted``) is a distinct fact, not a state: each project keeps the **latest**
  ``LEADPULSE_LIVE_BATCH_CAP`` of each type per window, in order, and drops the older ones.
  The dashboard refetches what these frames invalidate, so a dropped frame costs nothing
  but a line in the live feed.

Windows follow each other (a window opens only after the previous one was flushed), so two
frames for one lead are at least one window apart. Live frames may be lost by design (a
process dies mid-window), but the last state of a window is never dropped: an offer either
joins the pending window or opens a new one, and every window is flushed — at its end, or
when the process closes (``FrameBatcher.close``).

``FrameBatcher`` drives a ``Coalescer`` from asyncio: one task sleeps until the window ends
and hands the frames to the process's emitter.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

import structlog

from leadpulse.live.emitter import Emitter
from leadpulse.live.frames import LeadUpdatedFrame, LiveFrame

log = structlog.get_logger("leadpulse.live")

Outgoing = tuple[int, LiveFrame]  # (project id, frame)


def merge_lead_updates(first: LeadUpdatedFrame, latest: LeadUpdatedFrame) -> LeadUpdatedFrame:
    """Return the latest state, moved from where the window's first frame started."""
    return latest.model_copy(
        update={"previous_score": first.previous_score, "previous_stage": first.previous_stage}
    )


@dataclass
class Coalescer:
    """Frames of the current window, coalesced or capped; ``take`` returns them when due."""

    window: float
    cap: int
    opened_at: float | None = None
    dropped: int = 0
    _pending: dict[Hashable, LeadUpdatedFrame | deque[LiveFrame]] = field(default_factory=dict)
    _projects: dict[Hashable, int] = field(default_factory=dict)

    def offer(self, project_id: int, frame: LiveFrame, now: float) -> None:
        """Add a frame to the window (opening one at ``now`` if none is pending)."""
        if self.opened_at is None:
            self.opened_at = now
        if isinstance(frame, LeadUpdatedFrame):
            self._offer_lead(project_id, frame)
            return
        key = (frame.EVENT, project_id)
        stream = self._pending.get(key)
        if not isinstance(stream, deque):
            stream = self._pending[key] = deque(maxlen=self.cap)
            self._projects[key] = project_id
        if len(stream) == self.cap:
            self.dropped += 1
        stream.append(frame)

    def _offer_lead(self, project_id: int, frame: LeadUpdatedFrame) -> None:
        key = (frame.EVENT, project_id, frame.id)
        first = self._pending.get(key)
        if isinstance(first, LeadUpdatedFrame):
            frame = merge_lead_updates(first, frame)
        else:
            self._projects[key] = project_id
        self._pending[key] = frame

    def due_at(self) -> float | None:
        """Return when the pending window ends (None: nothing pending)."""
        return None if self.opened_at is None else self.opened_at + self.window

    def take(self, now: float, *, force: bool = False) -> list[Outgoing]:
        """Return the window's frames and start afresh, if the window ended (or ``force``)."""
        due = self.due_at()
        if due is None or (due > now and not force):
            return []
        out: list[Outgoing] = []
        for key, slot in self._pending.items():
            frames = slot if isinstance(slot, deque) else (slot,)
            out.extend((self._projects[key], frame) for frame in frames)
        self._pending.clear()
        self._projects.clear()
        self.opened_at = None
        return out


class FrameBatcher:
    """Collect frames in a ``Coalescer``; one task flushes each window to the emitter.

    ``emitter`` is called at each flush (the process's emitter is chosen at first use);
    ``on_first_offer`` runs once, before the first frame is queued.
    """

    def __init__(
        self,
        coalescer: Coalescer,
        emitter: Callable[[], Emitter],
        *,
        clock: Callable[[], float] = time.monotonic,
        on_first_offer: Callable[[], None] | None = None,
    ) -> None:
        self.coalescer = coalescer
        self.emitter = emitter
        self.clock = clock
        self._on_first_offer = on_first_offer
        self._task: asyncio.Task[None] | None = None
        self._closing = asyncio.Event()

    def offer(self, project_id: int, frame: LiveFrame) -> None:
        """Queue a frame for the current window; start the flusher if it is idle."""
        if self._on_first_offer is not None:
            started, self._on_first_offer = self._on_first_offer, None
            started()
        self.coalescer.offer(project_id, frame, self.clock())
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._flush_windows())

    async def _flush_windows(self) -> None:
        # Runs while windows keep opening (offers made during a flush open the next one);
        # closing ends the wait early, so a window is never cut off in the middle of a send.
        while (due := self.coalescer.due_at()) is not None:
            if not self._closing.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._closing.wait(), max(0.0, due - self.clock()))
            await self._send(self.coalescer.take(self.clock(), force=self._closing.is_set()))

    async def _send(self, frames: list[Outgoing]) -> None:
        if not frames:
            return
        emitter = self.emitter()
        for project_id, frame in frames:
            try:
                await emitter.emit(frame, project_id)
            except Exception:  # one failed emit (Redis away) must not stop the window
                log.warning("live_emit_failed", event=frame.EVENT, exc_info=True)

    async def close(self) -> None:
        """Send what is pending at once (the last state is not dropped), then stop."""
        self._closing.set()
        if self._task is not None:
            await self._task
        await self._send(self.coalescer.take(self.clock(), force=True))
