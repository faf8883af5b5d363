"""Messages held for people the bot cannot reach, and their release when they write to
the bot again (bot/services/people/held.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.container import Services
from bot.services.kernel.scheduling import PRIORITY_FIRST, DatabaseScheduler, Outgoing
from bot.services.people.users import TelegramIdentity
from storage.database import Database
from storage.models import OutboxMessage
from storage.repositories import outbox as outbox_repo
from tests.support.orders import activity, boss, request_form, volunteers
from tests.support.services import COMMUNITY, DISTRICT, FakeClock, Org, form, person

COORDINATOR = 7_300_001
LEASE = timedelta(seconds=60)


async def hold_everything(services: Services) -> int:
    """Run the claim as the sender would, the sends all succeeding, until nothing is
    due: what is meant for unreachable people is held on the way. How many were held."""
    total = 0
    while True:
        claimed, held = await services.outbox.claim(100, LEASE)
        total += held
        if claimed:
            await services.outbox.sent([(c.id, 1) for c in claimed])
        if not claimed and not held:
            return total


async def unreachable(db: Database, telegram_id: int, reason: str, clock: FakeClock) -> None:
    async with db.transaction() as session:
        assert await outbox_repo.mark_unreachable(session, telegram_id, clock.now(), reason)


async def outbox(db: Database, chat_id: int) -> dict[str, OutboxMessage]:
    async with db.read() as session:
        rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == chat_id))
        return {row.dedup_key: row for row in rows}


async def test_a_coordinator_who_opens_the_bot_gets_a_digest_and_what_still_stands(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    """A coordinator bound before they ever opened the bot: requests and registrations
    are summed up in a digest in their language (counting only those that still wait),
    those decided meanwhile are dropped, their other news is delivered."""
    await services.coordinators.add_admin(COORDINATOR, COMMUNITY, label="cli")
    await unreachable(db, COORDINATOR, "not_started", clock)  # the first send was refused
    district = await boss(services, DISTRICT)
    resident = await person(services, 7_300_100, "王芳")
    waiting = await services.orders.create_request(resident, request_form(org))
    decided = await services.orders.create_request(resident, request_form(org, description="另"))
    pending, approved = [await person(services, tid) for tid in (7_300_200, 7_300_201)]
    for volunteer in (pending, approved):
        await services.volunteers.register(volunteer.id, form(org))
    async with db.transaction() as session:  # their own news, not about any queue
        await services.scheduler.enqueue(
            session, "note:1", Outgoing(chat_id=COORDINATOR, text="for you")
        )
    assert await hold_everything(services) == 5  # no send attempt: all held at claim

    await services.orders.reject(district, decided.id, "重复")
    await services.volunteers.decide(district, approved.id, True)
    clock.advance(minutes=5)
    who = TelegramIdentity(COORDINATOR, "Roger", language_code="en")
    await services.users.touch(who)  # their first /start

    rows = await outbox(db, COORDINATOR)
    me = await services.users.get(COORDINATOR)
    assert rows[f"order.requested:{waiting.id}:{COORDINATOR}"].status == "cancelled"  # summed
    assert rows[f"order.requested:{decided.id}:{COORDINATOR}"].status == "cancelled"
    assert "reviewed" in (rows[f"order.requested:{decided.id}:{COORDINATOR}"].last_error or "")
    summed = [k for k, r in rows.items() if "summed up" in (r.last_error or "")]
    assert sorted(summed) == sorted(
        [f"order.requested:{waiting.id}:{COORDINATOR}"]
        + [k for k in rows if k.startswith(f"volunteer.pending:{pending.id}:")]
    )
    assert rows["note:1"].status == "queued"
    (digest,) = (r for k, r in rows.items() if k.startswith(f"held.digest:{me.id}:"))
    assert digest.status == "queued" and digest.priority == PRIORITY_FIRST
    assert digest.payload["text"] == (
        "📬 Before you opened the bot:\n"
        "• requests waiting for your review: 1 — /review\n"
        "• volunteers waiting for your approval: 1 — /pending\n"
        "• notices that went out of date (handled by someone else, or over), not shown: 2\n"
        "• your other notices, which follow: 1"
    )
    assert not [r for r in rows.values() if r.status == "held"]
    claimed, _ = await services.outbox.claim(100, LEASE)
    assert [c.key for c in claimed if c.message.chat_id == COORDINATOR] == [digest.dedup_key]


async def test_a_volunteer_back_from_blocking_gets_what_is_still_open(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    """A volunteer who blocked the bot: the announcement of an order still open is
    delivered, that of an order filled meanwhile dropped; of two edits of one message
    only the last is made; the digest (in Chinese) says one went out of date."""
    away, other = await volunteers(db, org, 2)
    await unreachable(db, away.telegram_id, "blocked", clock)
    stays_open = await activity(services, org, 2)
    fills = await activity(services, org, 1)
    async with db.transaction() as session:
        for n in (1, 2):
            edit = Outgoing(
                chat_id=away.telegram_id, text=f"edit {n}", kind="edit", edit_message_id=42
            )
            await services.scheduler.enqueue(session, f"contact.hide:{n}", edit)
    assert await hold_everything(services) == 4
    await services.claims.grab(other, fills.id)
    assert (await services.orders.get(fills.id)).state == "filled"

    await services.users.touch(TelegramIdentity(away.telegram_id, "V", language_code="zh-hans"))
    rows = await outbox(db, away.telegram_id)
    assert rows[f"publish:{stays_open.id}:{away.id}"].status == "queued"
    assert rows[f"publish:{fills.id}:{away.id}"].status == "cancelled"
    assert rows["contact.hide:1"].status == "cancelled"  # superseded: not counted
    assert rows["contact.hide:2"].status == "queued"
    (digest,) = (r for k, r in rows.items() if k.startswith("held.digest:"))
    assert digest.payload["text"] == (
        "👋 欢迎回来！您不在期间：\n"
        "• 1 条通知已过时（已由他人处理或已结束），不再发给您。\n"
        "• 其余 2 条通知随后送达。"
    )


async def test_release_costs_nothing_for_people_who_were_never_unreachable(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    from tests.support.services import sent_statements

    someone = await person(services, 7_300_300, "Reachable")
    clock.advance(minutes=30)  # last seen is stale: touch writes it (behind)
    with sent_statements(db, lambda s: s.statement) as statements:
        await services.users.touch(TelegramIdentity(someone.telegram_id, "Reachable"))
        await services.users.flush()
    assert statements and not [s for s in statements if "outbox" in s]
    # nothing to release: no digest, nothing queued
    assert not await outbox(db, someone.telegram_id)


async def test_nothing_held_means_no_digest(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    """Unreachable, but nothing was held (or all of it still stands): no digest."""
    coordinator = await boss(services)
    await unreachable(db, coordinator.telegram_id, "blocked", clock)
    await services.users.touch(TelegramIdentity(coordinator.telegram_id, "Back"))
    assert not await outbox(db, coordinator.telegram_id)
    async with db.read() as session:
        assert await outbox_repo.held_for(session, coordinator.telegram_id) == []


async def test_an_offer_that_ran_out_is_dropped(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    """A waitlisted volunteer offered a freed place while blocked: the offer expires
    before they come back and is dropped."""
    first, waiting = await volunteers(db, org, 2)
    order = await activity(services, org, 1)
    place = await services.claims.grab(first, order.id)
    await services.claims.join_waitlist(waiting, order.id)
    await unreachable(db, waiting.telegram_id, "blocked", clock)
    await services.claims.cancel(first, place.id)  # the place is offered to `waiting`
    await hold_everything(services)
    rows = await outbox(db, waiting.telegram_id)
    (offer,) = (k for k in rows if k.startswith("claim.offered:"))
    assert rows[offer].status == "held"
    clock.advance(days=1)
    await services.users.touch(TelegramIdentity(waiting.telegram_id, "V"))
    rows = await outbox(db, waiting.telegram_id)
    assert rows[offer].status == "cancelled" and "offer ended" in (rows[offer].last_error or "")


async def test_held_messages_older_than_30_days_are_dropped_by_the_clean_up(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    """Someone who never comes back (a deactivated account) does not keep the outbox
    growing: the nightly clean-up drops what was held for them a month ago (on the
    outbox's own time, the wall clock: here a second FakeClock)."""
    from bot.jobs.kinds import KEEP_HISTORY, JobContext, cleanup

    wall = FakeClock(clock.now())
    scheduler = DatabaseScheduler(clock, wall)
    (gone,) = await volunteers(db, org, 1)
    await unreachable(db, gone.telegram_id, "blocked", clock)
    async with db.transaction() as session:
        await scheduler.enqueue(session, "old", Outgoing(chat_id=gone.telegram_id))
    await hold_everything(services)
    wall.advance(days=KEEP_HISTORY.days - 1)
    async with db.transaction() as session:
        await scheduler.enqueue(session, "new", Outgoing(chat_id=gone.telegram_id))
    await hold_everything(services)
    wall.advance(days=2)
    async with db.transaction() as session:
        await cleanup(JobContext(clock, services, wall), session, {})
    assert set(await outbox(db, gone.telegram_id)) == {"new"}
