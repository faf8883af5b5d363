"""Reminders before the service (24 h and 2 h by default) to each volunteer holding a
place, with the cancel button; the resident told who is coming. Durable jobs run with
the injectable clock, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import callback_data
from bot.config import ConfigError, load_config
from bot.container import Services
from bot.i18n import get_translator
from bot.jobs.kinds import JobContext, default_registry
from bot.jobs.runner import JobRunner
from bot.services.kernel.dto import OrderDTO, UserDTO
from bot.services.kernel.scheduling import PRIORITY_REMINDER
from bot.services.requests.publish import Publication
from handlers.grabs.grab import CANCEL
from storage.database import Database
from storage.models import Job, OutboxMessage
from tests.support.orders import boss, request_form, volunteers
from tests.support.services import START, FakeClock, Org, person

ZH = get_translator("zh_CN")
ADDRESS = "龙湖东岸 3 栋 2 单元 401"


async def published(
    services: Services, org: Org, places: int = 2, **form: object
) -> tuple[UserDTO, OrderDTO]:
    """A resident's request, approved: (the resident, the open order)."""
    resident = await person(services, 7001, "王芳")
    order = await services.orders.create_request(resident, request_form(org, **form))
    order = await services.orders.approve(
        await boss(services), order.id, Publication(places=places)
    )
    return resident, order


def runner(db: Database, clock: FakeClock, services: Services) -> JobRunner:
    return JobRunner(db, clock, default_registry(), JobContext(clock, services))


async def outbox(db: Database, prefix: str) -> dict[str, OutboxMessage]:
    async with db.read() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.dedup_key.like(f"{prefix}%"))
        )
        return {row.dedup_key: row for row in rows}


async def jobs(db: Database, order_id: int) -> dict[str, Job]:
    async with db.read() as session:
        rows = await session.scalars(select(Job).where(Job.key.like(f"order:{order_id}:remind:%")))
        return {row.key: row for row in rows}


async def test_reminded_at_24h_and_2h_with_the_cancel_button(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    resident, order = await published(services, org)
    a, b, waiting = await volunteers(db, org, 3)
    claim_a = await services.claims.grab(a, order.id)
    claim_b = await services.claims.grab(b, order.id)
    await services.claims.join_waitlist(waiting, order.id)
    planned = await jobs(db, order.id)
    assert {key: job.due_at for key, job in planned.items()} == {
        f"order:{order.id}:remind:24h": order.starts_at - timedelta(hours=24),
        f"order:{order.id}:remind:2h": order.starts_at - timedelta(hours=2),
    }
    run = runner(db, clock, services)

    clock.advance(hours=23, minutes=59)  # a minute before the 24 h reminder
    await run.tick()
    assert await outbox(db, "claim.remind:") == {}

    clock.advance(minutes=1)
    await run.tick()
    sent = await outbox(db, "claim.remind:")
    assert set(sent) == {f"claim.remind:{claim_a.id}:24h", f"claim.remind:{claim_b.id}:24h"}
    first = sent[f"claim.remind:{claim_a.id}:24h"]
    assert first.chat_id == a.telegram_id and first.priority == PRIORITY_REMINDER
    assert order.number in first.payload["text"]
    assert ADDRESS not in first.payload["text"]  # that is in the place message
    assert ZH.raw("reminder.late_note").split("{")[0] not in first.payload["text"]
    [[button]] = first.payload["buttons"]
    assert button["text"] == ZH.plain("grab.button_cancel_place")
    assert button["callback_data"] == callback_data.encode(CANCEL, claim_a.id)

    coming = await outbox(db, "order.coming:")
    [told] = coming.values()
    assert told.chat_id == resident.telegram_id
    names = [f"志愿者{a.telegram_id}", f"志愿者{b.telegram_id}"]
    assert all(name in told.payload["text"] for name in names)
    assert f"志愿者{waiting.telegram_id}" not in told.payload["text"]

    clock.advance(hours=22)  # the 2 h reminder: within the cut-off, so cancelling is late
    await run.tick()
    sent = await outbox(db, "claim.remind:")
    assert len(sent) == 4
    second = sent[f"claim.remind:{claim_b.id}:2h"]
    assert "⚠️" in second.payload["text"] and second.payload["buttons"]
    assert len(await outbox(db, "order.coming:")) == 1  # the same two: not told again

    # the button does what it says, and it counts as late now
    data = second.payload["buttons"][0][0]["callback_data"]
    (claim_id,) = callback_data.decode_ints(data, CANCEL, 1) or ()
    cancelled = await services.claims.cancel(b, claim_id)
    assert cancelled.late_cancel

    await run.tick()  # nothing is sent twice
    assert len(await outbox(db, "claim.remind:")) == 4


async def test_resident_told_again_when_the_helpers_changed(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    resident, order = await published(services, org)
    a, b = await volunteers(db, org, 2)
    await services.claims.grab(a, order.id)
    claim_b = await services.claims.grab(b, order.id)
    run = runner(db, clock, services)
    clock.advance(hours=24)
    await run.tick()
    await services.claims.cancel(b, claim_b.id)  # gone before the 2 h reminder
    clock.advance(hours=22)
    await run.tick()
    reminded = await outbox(db, "claim.remind:")
    assert sorted(key.rsplit(":", 1)[1] for key in reminded) == ["24h", "24h", "2h"]
    assert f"claim.remind:{claim_b.id}:2h" not in reminded
    coming = sorted((await outbox(db, "order.coming:")).values(), key=lambda r: r.id)
    assert len(coming) == 2
    assert f"志愿者{b.telegram_id}" in coming[0].payload["text"]
    assert f"志愿者{b.telegram_id}" not in coming[1].payload["text"]
    assert f"志愿者{a.telegram_id}" in coming[1].payload["text"]
    assert coming[1].chat_id == resident.telegram_id


async def test_nothing_for_a_cancelled_order(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    resident, order = await published(services, org)
    (a,) = await volunteers(db, org, 1)
    await services.claims.grab(a, order.id)
    await services.orders.cancel_by_requester(resident, order.id)
    clock.advance(hours=47)
    report = await runner(db, clock, services).tick()
    assert report.failed == 0
    assert await outbox(db, "claim.remind:") == {}
    assert await outbox(db, "order.coming:") == {}
    assert {job.status for job in (await jobs(db, order.id)).values()} == {"done"}


async def test_no_reminder_and_no_button_once_the_service_started(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    """The bot was down from before the first reminder until after the start."""
    _, order = await published(services, org)
    (a,) = await volunteers(db, org, 1)
    await services.claims.grab(a, order.id)
    clock.advance(hours=48, minutes=1)
    report = await runner(db, clock, services).tick()
    assert report.failed == 0
    assert await outbox(db, "claim.remind:") == {}
    assert await outbox(db, "order.coming:") == {}


async def test_after_downtime_only_the_last_reminder_due_goes_out(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    _, order = await published(services, org)
    (a,) = await volunteers(db, org, 1)
    claim = await services.claims.grab(a, order.id)
    clock.advance(hours=47)  # down at 24 h and at 2 h; one hour before the start now
    await runner(db, clock, services).tick()
    reminded = await outbox(db, "claim.remind:")
    assert set(reminded) == {f"claim.remind:{claim.id}:2h"}
    assert reminded[f"claim.remind:{claim.id}:2h"].payload["buttons"]


async def test_offsets_already_past_at_publication_are_skipped(
    db: Database, services: Services, org: Org
) -> None:
    starts = START + timedelta(hours=10)
    _, order = await published(services, org, starts_at=starts, ends_at=starts + timedelta(hours=1))
    assert set(await jobs(db, order.id)) == {f"order:{order.id}:remind:2h"}


async def test_offered_and_waitlisted_volunteers_are_not_reminded(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    _, order = await published(services, org, places=1)
    holder, first, second = await volunteers(db, org, 3)
    claim = await services.claims.grab(holder, order.id)
    await services.claims.join_waitlist(first, order.id)
    await services.claims.join_waitlist(second, order.id)
    await services.claims.cancel(holder, claim.id)  # the place is offered to `first`
    clock.advance(hours=24)
    await runner(db, clock, services).tick()
    assert await outbox(db, "claim.remind:") == {}


@pytest.mark.parametrize(
    ("hours", "problem"),
    [([24, 24], "only once"), ([0], "greater than 0"), ([721], "less than or equal to 720")],
)
def test_reminder_hours_are_checked(hours: list[float], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        load_config(environ={}, overrides={"orders": {"reminder_hours": hours}})
    config = load_config(environ={}, overrides={"orders": {"reminder_hours": [2, 0.5, 24]}})
    assert config.orders.reminder_hours == [24, 2, 0.5]
    assert load_config(environ={}).orders.hide_contact_after_hours == 24
