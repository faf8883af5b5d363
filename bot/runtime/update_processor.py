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
``bench/README.md``, section "Follow-ups after the burst"). ``drain`` and ``shutdown``
(Application.shutdown) start what waits and wait for everything handed over.

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
        follow_up_concurrency: int = 4,
        follow_up_quiet: float = 0.2,
        follow_up_max_wait: float = 2.0,
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

    async def initialize(self) -> None:
        freeze_start_up_objects()

    async def shutdown(self) -> None:
        await self.drain()
