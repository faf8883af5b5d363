"""Debounce: released once the burst is quiet, or at its ceiling; ``fire`` at once.
Deterministic: the quiet periods are a minute (never reached), the ceilings 0 or a
minute; the loop is turned with ``sleep(0)``, never waited on."""

from __future__ import annotations

import asyncio

from bot.runtime.debounce import Debounce


class Releases:
    def __init__(self) -> None:
        self.count = 0
        self.happened = asyncio.Event()

    def __call__(self) -> None:
        self.count += 1
        self.happened.set()


async def turns(n: int = 20) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


async def test_pokes_wait_for_a_quiet_that_does_not_come() -> None:
    releases = Releases()
    later = Debounce(releases, quiet=60, max_wait=60)
    for _ in range(5):
        later.poke()
        await turns(2)
    assert releases.count == 0 and later.waiting
    later.fire()  # e.g. at shutdown
    assert releases.count == 1 and not later.waiting
    await turns()
    assert releases.count == 1  # the cancelled timer does not release again


async def test_the_ceiling_releases_a_burst_that_never_ends() -> None:
    releases = Releases()
    later = Debounce(releases, quiet=60, max_wait=0)
    later.poke()
    later.poke()  # still within the burst: one release
    await releases.happened.wait()
    await turns()
    assert releases.count == 1 and not later.waiting
    releases.happened.clear()
    later.poke()  # a new burst: a new window
    await releases.happened.wait()
    assert releases.count == 2
