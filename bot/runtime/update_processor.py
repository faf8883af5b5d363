"""Updates run concurrently across users and in order for each user.

PTB processes one update at a time by default; ``concurrent_updates(True)`` loses the
per-user order that chat flows rely on. This processor keys each update by its user
(else chat) and serialises only updates with the same key.

It also runs *follow-ups*: work a handler hands off once the user has their answer,
because it only tidies up (e.g. the pressed message's keyboard edited after the alert
said the order is full). They wait for the burst that handed them over to end — no
new follow-up for ``follow_up_quiet`` seconds, or ``follow_up_max_wait`` since the
first one waiting — and then run a few at a time (``follow_up_concurrency``), so under
a storm the answers go first instead of sharing the CPU and the connections with the
tidying: a lower p99 of the storm's taps (``bench/grab_storm.py``; figures in
``bench/README.md``, section "Follow-ups after the burst"). A storm longer than
``follow_up_max_wait`` (10,000 taps) still has ``follow_up_hold_at`` updates or more in
flight then: the follow-ups are held until it thins out below that, at most
``follow_up_hold_max`` seconds after they were first held ("The opening second").
``drain`` and ``shutdown`` (Application.shutdown) start what waits and wait for
everything handed over.

``initialize`` (Application.initialize, once the bot is built) also freezes what is
alive in the process then out of the garbage collector's sight and raises its
thresholds, and while at least ``gc_pause_at`` updates are in flight automatic
collection waits (at most ``gc_max_pause`` seconds): see :mod:`bot.runtime.gc_tuning`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.runtime.debounce import Debounce
from bot.runtime.gc_tuning import BurstGcPause, freeze_start_up_objects

log = logging.getLogger(__name__)


def update_key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return None


class PerUserUpdateProcessor(BaseUpdateProcessor):
    def __init__(
        self,
        max_concurrent_updates: int = 256,
        follow_up_concurrency: int = 32,
        follow_up_quiet: float = 0.2,
        follow_up_max_wait: float = 2.0,
        follow_up_hold_at: int = 64,
        follow_up_hold_max: float = 3.0,
        gc_pause_at: int = 64,
        gc_max_pause: float = 2.0,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.gc_pause = BurstGcPause(gc_pause_at, gc_max_pause)
        # key -> [lock, number of updates holding or waiting for it]
        self._locks: dict[int, list[Any]] = {}
        self._follow_up_slots = asyncio.Semaphore(follow_up_concurrency)
        self._follow_ups: set[asyncio.Task[None]] = set()
        self._waiting: list[tuple[Coroutine[Any, Any, Any], str]] = []
        self._release = Debounce(
            self._release_waiting, quiet=follow_up_quiet, max_wait=follow_up_max_wait
        )
        self._hold_at = follow_up_hold_at
        self._hold_max = follow_up_hold_max
        self._held: asyncio.TimerHandle | None = None  # set while held: its time limit

    def follow_up(
        self, work: Coroutine[Any, Any, Any], name: str = "follow-up", *, urgent: bool = False
    ) -> None:
        """Run ``work`` once the burst is over, a few at a time (``urgent``: at once,
        beside the answers); its errors are logged, not raised."""
        if urgent:
            self._start(work, name, urgent=True)
            return
        self._waiting.append((work, name))
        self._release.poke()

    def _start(self, work: Coroutine[Any, Any, Any], name: str, *, urgent: bool) -> None:
        task = asyncio.get_running_loop().create_task(
            self._run_follow_up(work, name, urgent), name=name
        )
        self._follow_ups.add(task)
        task.add_done_callback(self._follow_ups.discard)

    def _release_waiting(self) -> None:
        """Due (the burst went quiet, or ``follow_up_max_wait``): start what waits —
        unless a storm is still in flight, then once it thins out (see the module)."""
        if self._held is None and self.gc_pause.in_flight >= self._hold_at:
            self._held = asyncio.get_running_loop().call_later(self._hold_max, self._unhold)
            return
        if self._held is None:
            self._start_waiting()

    def _unhold(self) -> None:
        if self._held is not None:
            self._held.cancel()
            self._held = None
        self._start_waiting()

    def _start_waiting(self) -> None:
        waiting, self._waiting = self._waiting, []
        for work, name in waiting:
            self._start(work, name, urgent=False)

    async def _run_follow_up(self, work: Coroutine[Any, Any, Any], name: str, urgent: bool) -> None:
        try:
            if urgent:
                await work
            else:
                async with self._follow_up_slots:
                    await work
        except Exception:
            log.exception("%s failed", name)

    async def drain(self) -> None:
        """Start what waits, and wait until every follow-up handed over so far (and any
        they hand over) ran."""
        while self._follow_ups or self._waiting:
            self._release.fire()
            self._unhold()
            await asyncio.gather(*self._follow_ups, return_exceptions=True)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        self.gc_pause.started()
        key = update_key(update)
        try:
            if key is None:
                await coroutine
                return
            entry = self._locks.setdefault(key, [asyncio.Lock(), 0])
            entry[1] += 1
            try:
                async with entry[0]:
                    await coroutine
            finally:
                entry[1] -= 1
                if entry[1] == 0:
                    del self._locks[key]
        finally:
            self.gc_pause.finished()
            if self._held is not None and self.gc_pause.in_flight < self._hold_at:
                self._unhold()  # the storm thinned out: the held follow-ups start

    async def initialize(self) -> None:
        freeze_start_up_objects()

    async def shutdown(self) -> None:
        await self.drain()
