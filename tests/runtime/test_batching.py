"""Batcher: concurrent calls on one key share a batch; a lone call runs at once; each
caller gets its own result or exception. Deterministic: events, no sleeps."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from bot.runtime.batching import Batcher


class Recorder:
    """A batch function that records its batches and can be held at a gate."""

    def __init__(self) -> None:
        self.batches: list[tuple[str, list[int]]] = []
        self.gate: asyncio.Event | None = None
        self.entered = asyncio.Event()

    async def run(self, key: str, items: list[int]) -> Sequence[int | BaseException]:
        self.batches.append((key, list(items)))
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        return [ValueError(i) if i < 0 else i * 10 for i in items]


async def test_a_lone_call_is_a_batch_of_one() -> None:
    recorder = Recorder()
    batcher: Batcher[str, int, int] = Batcher(recorder.run)
    assert await batcher.submit("a", 1) == 10
    assert recorder.batches == [("a", [1])]


async def test_calls_made_together_share_one_batch_in_order() -> None:
    recorder = Recorder()
    batcher: Batcher[str, int, int] = Batcher(recorder.run)
    results = await asyncio.gather(*(batcher.submit("a", i) for i in range(5)))
    assert results == [0, 10, 20, 30, 40]
    assert recorder.batches == [("a", [0, 1, 2, 3, 4])]


async def test_calls_arriving_during_a_batch_form_the_next_one() -> None:
    recorder = Recorder()
    recorder.gate = asyncio.Event()
    batcher: Batcher[str, int, int] = Batcher(recorder.run)
    first = asyncio.create_task(batcher.submit("a", 1))
    await recorder.entered.wait()  # the first batch runs and is held
    later = [asyncio.create_task(batcher.submit("a", i)) for i in (2, 3)]
    await asyncio.sleep(0)  # a yield to the loop (not a wait): the submits queue
    assert batcher.pending() == 2
    recorder.gate.set()
    assert [await first, *[await t for t in later]] == [10, 20, 30]
    assert recorder.batches == [("a", [1]), ("a", [2, 3])]


async def test_keys_are_batched_apart() -> None:
    recorder = Recorder()
    batcher: Batcher[str, int, int] = Batcher(recorder.run)
    await asyncio.gather(batcher.submit("a", 1), batcher.submit("b", 2), batcher.submit("a", 3))
    assert sorted(recorder.batches) == [("a", [1, 3]), ("b", [2])]


async def test_max_batch_splits_a_crowd() -> None:
    recorder = Recorder()
    batcher: Batcher[str, int, int] = Batcher(recorder.run, max_batch=2)
    assert await asyncio.gather(*(batcher.submit("a", i) for i in range(5))) == [
        0,
        10,
        20,
        30,
        40,
    ]
    assert [items for _, items in recorder.batches] == [[0, 1], [2, 3], [4]]


async def test_each_caller_gets_its_own_exception() -> None:
    recorder = Recorder()
    batcher: Batcher[str, int, int] = Batcher(recorder.run)
    results = await asyncio.gather(
        batcher.submit("a", 1), batcher.submit("a", -2), return_exceptions=True
    )
    assert results[0] == 10
    assert isinstance(results[1], ValueError) and results[1].args == (-2,)


async def test_a_failing_batch_fails_its_callers_and_the_next_batch_runs() -> None:
    calls: list[list[int]] = []

    async def run(key: str, items: list[int]) -> Sequence[int]:
        calls.append(items)
        if len(calls) == 1:
            raise RuntimeError("database down")
        return items

    batcher: Batcher[str, int, int] = Batcher(run)
    results = await asyncio.gather(
        batcher.submit("a", 1), batcher.submit("a", 2), return_exceptions=True
    )
    assert [type(r) for r in results] == [RuntimeError, RuntimeError]
    assert await batcher.submit("a", 3) == 3


async def test_a_caller_that_gives_up_does_not_disturb_the_others() -> None:
    recorder = Recorder()
    recorder.gate = asyncio.Event()
    batcher: Batcher[str, int, int] = Batcher(recorder.run)
    quitter = asyncio.create_task(batcher.submit("a", 1))
    stayer = asyncio.create_task(batcher.submit("a", 2))
    await recorder.entered.wait()
    quitter.cancel()
    recorder.gate.set()
    assert await stayer == 20
    with pytest.raises(asyncio.CancelledError):
        await quitter


async def test_callers_with_a_result_resume_before_the_refused() -> None:
    """A storm's winners start their replies before the losers' answers."""
    recorder = Recorder()
    batcher: Batcher[str, int, int] = Batcher(recorder.run)
    resumed: list[int] = []

    async def caller(i: int) -> None:
        try:
            await batcher.submit("a", i)
        except ValueError:
            pass
        resumed.append(i)
        await asyncio.sleep(0)  # what a winner starts next (its reply) …
        resumed.append(100 + i)  # … runs before any refused caller resumes

    await asyncio.gather(*(caller(i) for i in (-1, 2, -3, 4, -5)))
    assert resumed[:4] == [2, 4, 102, 104]
    assert sorted(resumed[4:7]) == [-5, -3, -1]
