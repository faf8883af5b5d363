"""Exactly first come, first served under a storm of simultaneous taps, on SQLite and
PostgreSQL: never more winners than places, never two places for one volunteer, and
every other tap answered SlotsFull or AlreadyClaimed."""

from __future__ import annotations

import asyncio
import html
import json
import random
import re
import time

from bot.container import Services
from bot.i18n import get_translator
from bot.runtime.update_processor import PerUserUpdateProcessor
from bot.services.kernel.dto import ClaimDTO, UserDTO
from bot.services.kernel.errors import AlreadyClaimed, SlotsFull
from storage.database import Database
from storage.enums import ClaimState, OrderState
from tests.handlers import conftest as handler_fixtures
from tests.handlers.conftest import Harness
from tests.support.orders import activity, boss, check_invariants, volunteers
from tests.support.services import Org, build_services

harness = handler_fixtures.harness  # the bot on the sandbox, as in tests/handlers

PLACES = 20


async def storm(
    services: Services, order_id: int, taps: list[UserDTO], label: str, db: Database
) -> list[ClaimDTO]:
    started = time.perf_counter()
    results = await asyncio.gather(
        *(services.claims.grab(v, order_id) for v in taps), return_exceptions=True
    )
    elapsed = time.perf_counter() - started
    print(
        json.dumps(
            {
                "test": label,
                "backend": db.dialect,
                "taps": len(taps),
                "seconds": round(elapsed, 3),
                "taps_per_s": round(len(taps) / elapsed),
            }
        )
    )
    unexpected = [r for r in results if isinstance(r, BaseException)]
    unexpected = [r for r in unexpected if not isinstance(r, SlotsFull | AlreadyClaimed)]
    assert unexpected == [], unexpected[:3]
    return [r for r in results if isinstance(r, ClaimDTO)]


async def test_1000_volunteers_grab_20_places(db: Database, services: Services, org: Org) -> None:
    order = await activity(services, org, PLACES)
    crowd = await volunteers(db, org, 1000)
    winners = await storm(services, order.id, crowd, "1000 volunteers", db)

    assert len(winners) == PLACES
    assert len({w.volunteer_id for w in winners}) == PLACES
    snap = await check_invariants(db, order.id)
    assert snap.order.taken == PLACES
    assert snap.order.state == OrderState.FILLED.value
    claimed = snap.in_state(ClaimState.CLAIMED.value)
    assert {c.volunteer_id for c in claimed} == {w.volunteer_id for w in winners}
    assert len(snap.claims) == PLACES  # the losers' rows were rolled back


async def test_50_volunteers_tapping_20_times_each(
    db: Database, services: Services, org: Org
) -> None:
    order = await activity(services, org, PLACES)
    crowd = await volunteers(db, org, 50)
    taps = [v for v in crowd for _ in range(20)]
    random.Random(4).shuffle(taps)
    winners = await storm(services, order.id, taps, "50 volunteers x 20 taps", db)

    assert len(winners) == PLACES
    assert len({w.volunteer_id for w in winners}) == PLACES
    snap = await check_invariants(db, order.id)
    assert (snap.order.taken, snap.order.state) == (PLACES, OrderState.FILLED.value)
    assert len(snap.in_state(ClaimState.CLAIMED.value)) == PLACES


async def test_two_processes_grab_the_same_places(
    db: Database, db_url: str, services: Services, org: Org
) -> None:
    """Two bots on one database (each its own engine and its own batches): the
    database alone keeps the places — the conditional UPDATE under the order's lock."""
    order = await activity(services, org, PLACES)
    crowd = await volunteers(db, org, 600)
    other_db = Database.from_url(db_url)
    try:
        other = build_services(other_db, services.clock)  # type: ignore[arg-type]
        halves = (crowd[0::2], crowd[1::2])
        winners = [
            w
            for won in await asyncio.gather(
                storm(services, order.id, halves[0], "process 1 of 2", db),
                storm(other, order.id, halves[1], "process 2 of 2", other_db),
            )
            for w in won
        ]
    finally:
        await other_db.dispose()

    assert len(winners) == PLACES
    assert len({w.volunteer_id for w in winners}) == PLACES
    snap = await check_invariants(db, order.id)
    assert (snap.order.taken, snap.order.state) == (PLACES, OrderState.FILLED.value)


async def test_too_late_is_answered_and_offered_the_waitlist_without_a_new_message(
    harness: Harness,
) -> None:
    """Through the bot: the alert says the order is full; then (a follow-up, after the
    answer) the pressed announcement itself gets the note, and its Grab button becomes
    "Join the waitlist" — no new message per volunteer too late."""
    services, t = harness.services, get_translator("zh_CN")
    first_account, late_account = await volunteers(harness.db, harness.org, 2)
    order = await activity(services, harness.org, 1, actor=await boss(services))
    first = harness.person(first_account.telegram_id)
    late = harness.person(late_account.telegram_id)
    await harness.deliver()  # the announcements, with their Grab buttons
    await first.press(t.plain("grab.button_grab"))
    [announcement] = [m for m in late.chat_view.messages if order.number in m.content]
    before = len(late.chat_view.messages)

    await late.press(t.plain("grab.button_grab"))
    assert late.answer is not None and late.answer.show_alert
    assert late.answer.text == t.plain("error.slots_full")
    processor = harness.app.update_processor
    assert isinstance(processor, PerUserUpdateProcessor)
    await processor.drain()  # the follow-up edit

    assert len(late.chat_view.messages) == before  # nothing new in the chat
    [edited] = [m for m in late.chat_view.messages if m.message_id == announcement.message_id]
    assert edited.edited and edited.content.startswith(announcement.content)
    assert t.plain("grab.full") in edited.content
    assert edited.buttons == [[t.plain("grab.button_join_waitlist")]]
    replies = await late.press(t.plain("grab.button_join_waitlist"))
    waitlisted = html.unescape(re.sub(r"<[^>]+>", "", t("grab.waitlisted", number=order.number)))
    # the announcement, as it was, and the waitlist place, without buttons
    assert [m.content for m in replies] == [f"{announcement.content}\n\n{waitlisted}"]
    assert replies[0].message_id == announcement.message_id and replies[0].buttons == []
