"""The sender: drains the outbox within Telegram's limits.

Pacing is done here, not in PTB's AIORateLimiter: in PTB 22.8 that limiter has no
per-chat limit, does not throttle calls without a chat_id, and releases its global
pause early when any concurrent request finishes (python-telegram-bot #5338). Here:

* an overall rate (``[delivery] rate_per_s``, default 25/s to leave room for the bot's
  live replies, which never go through the outbox; paid broadcasts have their own
  rate) with aiolimiter's leaky bucket;
* per chat: one message at a time and at most ``per_chat_per_s`` (private) or
  ``per_group_per_min`` (groups) — the claim never hands out two messages of one chat;
* a 429 ``retry_after`` pauses every worker until then; the message goes back to the
  queue without costing an attempt;
* 5xx, timeouts and network errors are retried with exponential backoff up to
  ``max_attempts``; 400 fails that message alone with its reason;
* 403 (blocked the bot) and 400 "chat not found" (never opened it) are the person,
  not the message: they are marked unreachable, with why, and the message is *held*,
  as is every later message to them, without a send attempt, until they write to the
  bot again; then what is still worth sending is released (bot/services/people/held.py).

Exactly-once: a message is leased before it is sent and marked sent after Telegram
accepted it; a worker takes its next message only when that mark is committed. So when
the process dies, the messages that can be sent twice are those in flight at that
moment: at most ``concurrency``. A message whose lease is about to run out is not sent
(it goes back to the queue), so another sender never takes a message this one may still
send.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from aiolimiter import AsyncLimiter

from bot.config import DeliveryConfig
from bot.delivery.outbox import Claimed, OutboxService
from bot.services.kernel.scheduling import Outgoing

log = logging.getLogger(__name__)

LEASE_MARGIN_S = 5.0  # do not start a send this close to the end of its lease (at most
# a quarter of the lease)
PACING_PERIOD_S = 0.1  # leaky-bucket period: bursts of at most a tenth of a second's rate
MAX_BACKOFF_S = 300


@dataclass(frozen=True)
class Outcome:
    """What Telegram answered to one send."""

    ok: bool
    message_id: int | None = None
    retry_after: float | None = None
    unreachable: str | None = None  # why the person cannot be reached (UnreachableReason)
    permanent: bool = False
    reason: str = ""


class Transport(Protocol):
    async def send(self, message: Outgoing) -> Outcome: ...


@dataclass
class SenderStats:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    flood_waits: int = 0
    unreachable: int = 0  # messages held: their recipient cannot be reached now
    released: int = 0
    started: float = field(default_factory=time.monotonic)


@dataclass
class _Lease:
    claimed: Claimed
    deadline: float  # monotonic


class _SentMarks:
    """Marks sent messages in batches: a worker waits until its mark is committed, so
    unmarked sends never exceed the number of workers."""

    def __init__(self, outbox: OutboxService) -> None:
        self._outbox = outbox
        self._pending: list[tuple[int, int | None, asyncio.Future[None]]] = []
        self._wake = asyncio.Event()

    async def mark(self, outbox_id: int, message_id: int | None) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((outbox_id, message_id, future))
        self._wake.set()
        await future

    async def run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            batch, self._pending = self._pending, []
            if not batch:
                continue
            try:
                await self._outbox.sent([(oid, mid) for oid, mid, _ in batch])
            except Exception as exc:  # the leases run out and the rows are retried
                log.exception("could not record %d sent messages", len(batch))
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for _, _, future in batch:
                if not future.done():
                    future.set_result(None)


class Sender:
    def __init__(
        self,
        outbox: OutboxService,
        transport: Transport,
        settings: DeliveryConfig,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.outbox = outbox
        self.transport = transport
        self.settings = settings
        self.stats = SenderStats()
        self._monotonic = monotonic
        self._queue: asyncio.Queue[_Lease] = asyncio.Queue()
        self._in_flight = 0
        self._wake = asyncio.Event()
        self._paused_until = 0.0
        self._next_slot: dict[int, float] = {}
        self._rate = AsyncLimiter(max(settings.rate_per_s * PACING_PERIOD_S, 1), PACING_PERIOD_S)
        self._paid_rate = AsyncLimiter(
            max(settings.paid_rate_per_s * PACING_PERIOD_S, 1), PACING_PERIOD_S
        )
        self._marks = _SentMarks(outbox)

    def wake(self) -> None:
        """Something was enqueued: look now instead of at the next poll."""
        self._wake.set()

    # --- running ------------------------------------------------------------------
    async def run(self) -> None:
        """Send until cancelled; on cancellation, unsent claimed messages go back."""
        await self._run(until_idle=False)

    async def drain(self) -> SenderStats:
        """Send everything due now, then return (for the CLI and tests)."""
        await self._run(until_idle=True)
        return self.stats

    async def _run(self, until_idle: bool) -> None:
        tasks = [asyncio.create_task(self._marks.run(), name="outbox-marks")]
        tasks += [
            asyncio.create_task(self._worker(), name=f"outbox-worker-{n}")
            for n in range(self.settings.concurrency)
        ]
        try:
            await self._claim_loop(until_idle)
            if until_idle:
                await self._queue.join()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._release_unsent()

    async def _claim_loop(self, until_idle: bool) -> None:
        lease = timedelta(seconds=self.settings.lease_seconds)
        while True:
            if self._queue.qsize() < self.settings.concurrency:
                # idle only if nothing was in flight when the claim began: a send that
                # finishes during the claim may have freed its chat's next message
                idle = self._queue.empty() and self._in_flight == 0
                claimed, held = await self.outbox.claim(self.settings.batch_size, lease)
                self.stats.unreachable += held
                lease_s = self.settings.lease_seconds
                deadline = self._monotonic() + lease_s - min(LEASE_MARGIN_S, lease_s / 4)
                for item in claimed:
                    self._queue.put_nowait(_Lease(item, deadline))
                if claimed or held:  # held ones freed their chats' turn: look again
                    continue
                if until_idle and idle and self._queue.empty() and self._in_flight == 0:
                    return
            else:
                await asyncio.sleep(0)  # workers are busy: let them run
            self._wake.clear()
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for loses a cancellation
            # that comes as the wake-up does (CPython gh-86296), and a stopping bot then
            # waited for its sender for ever
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.poll_seconds):
                    await self._wake.wait()

    async def _release_unsent(self) -> None:
        while not self._queue.empty():
            lease = self._queue.get_nowait()
            self._queue.task_done()
            try:
                await self.outbox.retry_later(
                    lease.claimed.id, timedelta(0), "released on stop", flood_wait=True
                )
                self.stats.released += 1
            except Exception:
                log.exception("could not release outbox message %s", lease.claimed.id)

    async def _worker(self) -> None:
        while True:
            lease = await self._queue.get()
            self._in_flight += 1
            try:
                await self._deliver(lease)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox message %s: unexpected error", lease.claimed.id)
            finally:
                self._in_flight -= 1
                self._queue.task_done()
                if self._queue.empty():
                    self._wake.set()

    # --- one message --------------------------------------------------------------
    async def _deliver(self, lease: _Lease) -> None:
        claimed = lease.claimed
        message = claimed.message
        await self._pace(message)
        if self._monotonic() > lease.deadline:
            await self.outbox.retry_later(
                claimed.id, timedelta(0), "lease ran out before send", flood_wait=True
            )
            self.stats.released += 1
            return
        outcome = await self.transport.send(message)
        if outcome.ok:
            await self._marks.mark(claimed.id, outcome.message_id)
            self.stats.sent += 1
        elif outcome.retry_after is not None:
            self.stats.flood_waits += 1
            self._paused_until = max(self._paused_until, self._monotonic() + outcome.retry_after)
            log.warning("flood limit: pausing all sends for %.0f s", outcome.retry_after)
            await self.outbox.retry_later(
                claimed.id, timedelta(seconds=outcome.retry_after), outcome.reason, flood_wait=True
            )
        elif outcome.unreachable is not None:
            settled = await self.outbox.unreachable(claimed, outcome.unreachable, outcome.reason)
            if settled == "held":
                self.stats.unreachable += 1
            elif settled == "failed":  # not a user the bot knows: nobody to hold it for
                self.stats.failed += 1
            else:  # they wrote to the bot since the claim: their chat exists now
                self.stats.retried += 1
        elif outcome.permanent or claimed.attempt >= self.settings.max_attempts:
            self.stats.failed += 1
            reason = (
                outcome.reason
                if outcome.permanent
                else (f"gave up after {claimed.attempt} attempts: {outcome.reason}")
            )
            await self.outbox.failed(claimed.id, reason)
        else:
            self.stats.retried += 1
            backoff = min(2**claimed.attempt, MAX_BACKOFF_S)
            await self.outbox.retry_later(claimed.id, timedelta(seconds=backoff), outcome.reason)

    async def _pace(self, message: Outgoing) -> None:
        """Wait for a flood pause to end, for the chat's next slot, and for the bucket."""
        await self._flood_pause()
        chat = message.chat_id
        interval = (
            1 / self.settings.per_chat_per_s if chat > 0 else 60 / self.settings.per_group_per_min
        )
        now = self._monotonic()
        slot = max(now, self._next_slot.get(chat, 0.0))
        self._next_slot[chat] = slot + interval
        if slot > now:
            await asyncio.sleep(slot - now)
        if len(self._next_slot) > 10_000:
            horizon = self._monotonic()
            self._next_slot = {c: t for c, t in self._next_slot.items() if t > horizon}
        limiter = (
            self._paid_rate
            if message.paid_broadcast and self.settings.paid_broadcast
            else self._rate
        )
        await limiter.acquire()
        await self._flood_pause()

    async def _flood_pause(self) -> None:
        # sleeps to a deadline that a later 429 may push back, so it checks again
        while (wait := self._paused_until - self._monotonic()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)
