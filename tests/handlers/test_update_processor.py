"""The per-user update processor: one user's updates run one after another, in order;
different users' updates run at the same time. Deterministic: events, no sleeps.

The proofs rely on asyncio starting tasks in the order they were created: when a task
created *after* another has finished, the earlier one has run at least up to its first
real suspension point.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime

import pytest
from telegram import Chat, Message, Update, User

from bot.runtime.gc_tuning import BurstGcPause
from bot.runtime.update_processor import PerUserUpdateProcessor, update_key
from tests.handlers.conftest import Harness

_ids = itertools.count(1)


def update_from(user_id: int | None, chat_id: int | None = None) -> Update:
    """A message update from ``user_id`` (None: a channel post without a sender)."""
    chat = Chat(chat_id or user_id or -100123, Chat.PRIVATE if user_id else Chat.CHANNEL)
    user = User(user_id, f"U{user_id}", is_bot=False) if user_id else None
    message = Message(next(_ids), datetime.now(UTC), chat, from_user=user, text="hi")
    if user_id is None:
        return Update(next(_ids), channel_post=message)
    return Update(next(_ids), message=message)


class Script:
    """Coroutines that log when they start and end, and may wait for a gate."""

    def __init__(self) -> None:
        self.log: list[str] = []

    async def step(
        self, name: str, gate: asyncio.Event | None = None, entered: asyncio.Event | None = None
    ) -> None:
        self.log.append(f"{name}+")
        if entered is not None:
            entered.set()
        if gate is not None:
            await gate.wait()
        self.log.append(f"{name}-")


def task(
    processor: PerUserUpdateProcessor, update: Update, work: Awaitable[None]
) -> asyncio.Task[None]:
    return asyncio.create_task(processor.process_update(update, work))


async def test_one_users_updates_wait_for_each_other_in_order() -> None:
    processor = PerUserUpdateProcessor(16)
    script = Script()
    gate, entered = asyncio.Event(), asyncio.Event()

    first = task(processor, update_from(1), script.step("a1", gate, entered))
    await entered.wait()
    second = task(processor, update_from(1), script.step("a2"))
    third = task(processor, update_from(1), script.step("a3"))
    other = task(processor, update_from(2), script.step("b"))
    await other  # created after a2 and a3: they have had every chance to start

    assert script.log == ["a1+", "b+", "b-"]  # a2, a3 wait; b did not wait for a1
    gate.set()
    await asyncio.gather(first, second, third)
    assert script.log == ["a1+", "b+", "b-", "a1-", "a2+", "a2-", "a3+", "a3-"]
    assert processor._locks == {}  # nothing kept for users who are done


async def test_different_users_run_at_the_same_time() -> None:
    processor = PerUserUpdateProcessor(16)
    script = Script()
    gates = {uid: asyncio.Event() for uid in (1, 2, 3)}
    entered = {uid: asyncio.Event() for uid in (1, 2, 3)}

    tasks = [
        task(processor, update_from(uid), script.step(f"u{uid}", gates[uid], entered[uid]))
        for uid in (1, 2, 3)
    ]
    for uid in (1, 2, 3):
        await entered[uid].wait()  # all three are inside their handlers at once
    assert sorted(script.log) == ["u1+", "u2+", "u3+"]

    for uid in (3, 1, 2):  # they finish in whatever order their work does
        gates[uid].set()
        await tasks[uid - 1]
    assert script.log[3:] == ["u3-", "u1-", "u2-"]
    assert processor._locks == {}


async def test_a_failing_update_does_not_block_the_next_one() -> None:
    processor = PerUserUpdateProcessor(16)
    script = Script()
    gate, entered = asyncio.Event(), asyncio.Event()

    async def failing() -> None:
        entered.set()
        await gate.wait()
        raise RuntimeError("handler bug")

    first = task(processor, update_from(1), failing())
    await entered.wait()
    second = task(processor, update_from(1), script.step("after"))
    gate.set()
    with pytest.raises(RuntimeError):
        await first
    await second
    assert script.log == ["after+", "after-"]
    assert processor._locks == {}


async def test_updates_without_a_user_are_keyed_by_chat_or_not_at_all() -> None:
    channel = update_from(None, chat_id=-100777)
    assert update_key(update_from(5)) == 5
    assert update_key(channel) == -100777
    assert update_key(Update(next(_ids))) is None
    assert update_key("not an update") is None

    processor = PerUserUpdateProcessor(16)
    script = Script()
    gate, entered = asyncio.Event(), asyncio.Event()
    blocked = task(processor, Update(next(_ids)), script.step("x", gate, entered))
    await entered.wait()
    await task(processor, Update(next(_ids)), script.step("y"))  # not serialised with x
    assert script.log == ["x+", "y+", "y-"]
    gate.set()
    await blocked


@pytest.mark.backends("sqlite")
async def test_the_bot_serialises_each_user(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the real Application: while A's /start is held inside a service call,
    A's /help waits for it and B is served."""
    processor = harness.app.update_processor
    assert isinstance(processor, PerUserUpdateProcessor)
    a, b = harness.person(1001, "A", "en"), harness.person(1002, "B", "en")
    services = harness.services
    gate, entered = asyncio.Event(), asyncio.Event()
    real_get: Callable[[int], Awaitable[object]] = services.flows.get

    async def held_get(user_id: int) -> object:
        held = await services.users.get(a.id)
        if user_id == held.id and not gate.is_set():
            entered.set()
            await gate.wait()
        return await real_get(user_id)

    monkeypatch.setattr(services.flows, "get", held_get)

    def run(update: Update) -> asyncio.Task[None]:
        return task(processor, update, harness.app.process_update(update))

    a.chat_view.mark()
    start = run(a.message("/start"))
    await entered.wait()
    helped = run(a.message("/help"))
    await run(b.message("/help"))

    help_text = "/lang — change language"
    assert [help_text in m.content for m in b.chat_view.messages] == [True]
    assert a.replies() == []  # A's /help has not run ahead of A's /start
    gate.set()
    await asyncio.gather(start, helped)
    texts = a.texts()
    assert len(texts) == 2
    assert "Are you" in texts[0] and help_text in texts[1]


# ---- follow-ups ------------------------------------------------------------------------


async def test_follow_ups_run_a_few_at_a_time_and_shutdown_waits_for_them() -> None:
    processor = PerUserUpdateProcessor(16, follow_up_concurrency=2)
    script = Script()
    gates = {name: asyncio.Event() for name in "abc"}
    entered = {name: asyncio.Event() for name in "abc"}
    for name in "abc":
        processor.follow_up(script.step(name, gates[name], entered[name]), name)
    await entered["a"].wait()
    await entered["b"].wait()
    assert "c+" not in script.log  # both slots are held: c waits its turn
    gates["a"].set()
    await entered["c"].wait()  # a's slot went to c
    assert script.log.index("c+") > script.log.index("a-")
    gates["b"].set()
    gates["c"].set()
    await processor.shutdown()  # waits for what is still running
    assert sorted(script.log) == sorted(["a+", "a-", "b+", "b-", "c+", "c-"])


async def test_follow_ups_wait_for_the_burst_to_end() -> None:
    """Handed over during a burst, follow-ups wait (here: a quiet minute that never
    comes) — the answers go first; ``drain`` starts them."""
    processor = PerUserUpdateProcessor(16, follow_up_quiet=60, follow_up_max_wait=60)
    script = Script()
    for name in "abc":
        processor.follow_up(script.step(name), name)
    for _ in range(20):
        await asyncio.sleep(0)  # the loop runs other work meanwhile …
    assert script.log == []  # … but no follow-up yet
    await processor.drain()
    assert sorted(script.log) == sorted(["a+", "a-", "b+", "b-", "c+", "c-"])


async def test_an_urgent_follow_up_does_not_queue(caplog: pytest.LogCaptureFixture) -> None:
    processor = PerUserUpdateProcessor(16, follow_up_concurrency=1)
    script = Script()
    held, slow_entered, urgent_done = asyncio.Event(), asyncio.Event(), asyncio.Event()
    processor.follow_up(script.step("slow", held, slow_entered), "slow")
    await slow_entered.wait()  # the only slot is taken

    async def urgent() -> None:
        await script.step("urgent")
        urgent_done.set()

    async def broken() -> None:
        raise RuntimeError("edit failed")

    processor.follow_up(urgent(), "urgent", urgent=True)
    processor.follow_up(broken(), "broken", urgent=True)
    await urgent_done.wait()  # ran beside the slow one
    assert script.log == ["slow+", "urgent+", "urgent-"]
    held.set()
    await processor.drain()
    assert script.log[-1] == "slow-"
    assert any("broken failed" in r.getMessage() for r in caplog.records)  # logged, not raised


async def test_follow_ups_due_during_a_storm_wait_for_it_to_thin_out() -> None:
    """Due at once (no quiet, no wait), but with a storm of ``follow_up_hold_at``
    updates in flight: they start once fewer are, without ``drain``."""
    processor = PerUserUpdateProcessor(
        16, follow_up_quiet=0, follow_up_max_wait=0, follow_up_hold_at=3, follow_up_hold_max=60
    )
    script = Script()
    gate, burst = await hold_burst(processor, 3)
    done = asyncio.Event()

    async def tidy() -> None:
        await script.step("tidy")
        done.set()

    processor.follow_up(tidy(), "tidy")
    for _ in range(20):
        await asyncio.sleep(0)  # due meanwhile …
    assert script.log == []  # … but held: three updates are in flight
    gate.set()
    await asyncio.gather(*burst)
    await done.wait()  # started as the burst thinned out
    assert script.log == ["tidy+", "tidy-"]


async def test_a_held_follow_up_starts_after_hold_max_even_in_a_storm() -> None:
    processor = PerUserUpdateProcessor(
        16, follow_up_quiet=0, follow_up_max_wait=0, follow_up_hold_at=2, follow_up_hold_max=0
    )
    script = Script()
    gate, burst = await hold_burst(processor, 2)
    done = asyncio.Event()

    async def tidy() -> None:
        await script.step("tidy")
        done.set()

    processor.follow_up(tidy(), "tidy")
    await done.wait()  # the storm is still in flight
    assert script.log == ["tidy+", "tidy-"]
    gate.set()
    await asyncio.gather(*burst)


@pytest.fixture
def collector_on() -> Iterator[None]:
    """The collector enabled before and after (whatever a failing test left)."""
    gc.enable()
    yield
    gc.enable()


_burst_users = itertools.count(10_000)


async def hold_burst(
    processor: PerUserUpdateProcessor, users: int
) -> tuple[asyncio.Event, list[asyncio.Task[None]]]:
    """Updates of ``users`` new users in flight at once, each waiting for the returned
    gate."""
    gate = asyncio.Event()
    entered = [asyncio.Event() for _ in range(users)]
    tasks = [
        task(processor, update_from(next(_burst_users)), Script().step(str(i), gate, entered[i]))
        for i in range(users)
    ]
    for event in entered:
        await event.wait()
    return gate, tasks


async def test_collection_waits_while_a_burst_is_in_flight(collector_on: None) -> None:
    processor = PerUserUpdateProcessor(64, gc_pause_at=8, gc_max_pause=60)
    gate, tasks = await hold_burst(processor, 7)
    assert gc.isenabled()  # 7 in flight: no burst yet
    gate.set()
    await asyncio.gather(*tasks)

    gate, tasks = await hold_burst(processor, 12)
    assert not gc.isenabled() and processor.gc_pause.in_flight == 12
    gate.set()
    await asyncio.gather(*tasks)
    assert gc.isenabled() and processor.gc_pause.in_flight == 0  # the burst is over


async def test_a_pause_ends_after_max_pause_and_waits_for_a_quiet_moment(
    collector_on: None,
) -> None:
    processor = PerUserUpdateProcessor(64, gc_pause_at=4, gc_max_pause=0)
    pause = processor.gc_pause
    gate, tasks = await hold_burst(processor, 6)
    for _ in range(10):  # the pause's timer (0 s) fires within a few turns of the loop
        if not pause.paused:
            break
        await asyncio.sleep(0)
    assert gc.isenabled() and not pause.paused
    more_gate, more = await hold_burst(processor, 6)  # still busy: no second pause
    assert gc.isenabled()
    gate.set()
    more_gate.set()
    await asyncio.gather(*tasks, *more)
    assert pause.in_flight == 0
    gate, tasks = await hold_burst(processor, 6)  # after a quiet moment, a new burst pauses
    assert pause.paused
    gate.set()
    await asyncio.gather(*tasks)
    assert gc.isenabled()


async def test_a_collector_disabled_already_is_left_alone(collector_on: None) -> None:
    processor = PerUserUpdateProcessor(64, gc_pause_at=2, gc_max_pause=60)
    gc.disable()
    gate, tasks = await hold_burst(processor, 4)
    assert not processor.gc_pause.paused
    gate.set()
    await asyncio.gather(*tasks)
    assert not gc.isenabled()  # still as it was


def test_pause_at_must_be_positive() -> None:
    with pytest.raises(ValueError):
        BurstGcPause(pause_at=0)
