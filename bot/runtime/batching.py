"""Micro-batching: concurrent calls on one key share one unit of work.

Under a storm (a thousand volunteers tapping Grab on one order at once) one write
transaction per tap is the bottleneck: SQLite serialises writers, and even PostgreSQL
spends most of each transaction on round trips and commits. A :class:`Batcher` queues
the calls made for one key; one worker per key takes everything queued so far and runs
it as one batch, while the calls arriving meanwhile queue for the next batch. A lone
call runs at once (a batch of one, no waiting for company): batching costs nothing when
it is quiet and adapts to the load when it is not. What it buys: a storm's taps cost one
read and one write transaction instead of a thousand transactions
(``bench/grab_storm.py``; figures in ``bench/README.md``, section "Batching").

Each caller awaits its own result (or exception). The callers with a result resume
one turn of the event loop before those with an exception: in a storm the twenty who
got a place start their replies (a second message each) ahead of the nine hundred and
eighty told the order is full, instead of queueing them behind all of those answers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")
R = TypeVar("R")


class Batcher(Generic[K, T, R]):
    """Runs ``run(key, items)`` for the items queued on ``key``, one batch at a time per
    key; ``run`` returns one result or exception per item, in order. An exception raised
    by ``run`` itself is given to every caller of that batch. Results are handed out
    one loop turn before exceptions (see the module)."""

    def __init__(
        self,
        run: Callable[[K, list[T]], Awaitable[Sequence[R | BaseException]]],
        *,
        max_batch: int = 1000,
        name: str = "batch",
    ) -> None:
        self._run = run
        self._max_batch = max_batch
        self._name = name
        self._queues: dict[K, list[tuple[T, asyncio.Future[R]]]] = {}
        self._workers: dict[K, asyncio.Task[None]] = {}

    async def submit(self, key: K, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queues.setdefault(key, []).append((item, future))
        if key not in self._workers:
            self._workers[key] = asyncio.create_task(self._work(key), name=f"{self._name}:{key}")
        return await future

    def pending(self) -> int:
        """Calls queued and not yet taken into a batch."""
        return sum(len(q) for q in self._queues.values())

    async def _work(self, key: K) -> None:
        try:
            while True:
                queue = self._queues.get(key)
                if not queue:
                    break
                batch, rest = queue[: self._max_batch], queue[self._max_batch :]
                if rest:
                    self._queues[key] = rest
                else:
                    del self._queues[key]
                await self._one(key, batch)
        finally:
            # no await between the empty queue above and this: a call queued later
            # finds no worker and starts one
            del self._workers[key]

    async def _one(self, key: K, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            outcomes = await self._run(key, [item for item, _ in batch])
            if len(outcomes) != len(batch):
                raise RuntimeError(f"{self._name}: {len(outcomes)} outcomes for {len(batch)}")
        except asyncio.CancelledError:
            for _, future in batch:
                if not future.done():
                    future.cancel()
            raise
        except Exception as exc:  # handed to the callers
            outcomes = [exc] * len(batch)
        refused: list[tuple[asyncio.Future[R], BaseException]] = []
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():  # the caller gave up (cancelled)
                continue
            if isinstance(outcome, BaseException):
                refused.append((future, outcome))
            else:
                future.set_result(outcome)
        try:
            if refused and len(refused) < len(batch):
                # the callers with a result go on first (see the module)
                await asyncio.sleep(0)
        finally:
            for future, error in refused:
                if not future.done():
                    future.set_exception(error)
