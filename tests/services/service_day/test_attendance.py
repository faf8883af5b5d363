"""Service (实践服务) and completion: check-in opens shortly before the start, hours are
bounded by the window plus grace, forgotten check-outs and no-shows are handled by the
durable jobs (run with the injectable clock), coordinators correct hours (audited,
scoped), and the requester or a coordinator completes the order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.container import Services
from bot.jobs.kinds import JobContext, default_registry
from bot.jobs.runner import JobRunner
from bot.services.kernel.dto import OrderDTO, UserDTO
from bot.services.kernel.errors import (
    AlreadyDecided,
    CheckInClosed,
    CheckInNotOpen,
    CheckOutTooEarly,
    InvalidValue,
    NotAllowed,
    NotCheckedIn,
    NotFinished,
    NotFound,
    NotInScope,
)
from bot.services.requests.publish import Publication
from storage.database import Database
from storage.models import Claim, Job, Order, OutboxMessage
from tests.support.orders import activity, boss, check_invariants, request_form, volunteers
from tests.support.services import (
    COMMUNITY,
    OTHER_COMMUNITY,
    START,
    STREET,
    FakeClock,
    Org,
    audit_rows,
    person,
)

GRACE = timedelta(minutes=30)  # [orders] service_grace_minutes, default
OPENS = timedelta(minutes=30)  # [orders] check_in_opens_minutes, default
STARTS = START + timedelta(days=2)
ENDS = STARTS + timedelta(hours=2)


async def run_jobs(db: Database, clock: FakeClock, services: Services) -> int:
    runner = JobRunner(db, clock, default_registry(), JobContext(clock, services))
    return (await runner.tick()).ran


async def outbox(db: Database, key: str) -> OutboxMessage | None:
    async with db.read() as session:
        return await session.scalar(select(OutboxMessage).where(OutboxMessage.dedup_key == key))


ATTENDANCE_KEYS = (
    "order.started:",
    "order.confirm:",
    "order.nobody_came:",
    "order.completed:",
    "claim.no_show:",
    "claim.auto_checkout:",
    "claim.hours_corrected:",
)


async def outbox_keys(db: Database) -> set[str]:
    """The keys of the messages attendance sends (other features' are left out)."""
    async with db.read() as session:
        keys = set(await session.scalars(select(OutboxMessage.dedup_key)))
    return {k for k in keys if k.startswith(ATTENDANCE_KEYS)}


async def claim_row(db: Database, claim_id: int) -> Claim:
    async with db.read() as session:
        claim = await session.get(Claim, claim_id)
    assert claim is not None
    return claim


async def order_row(db: Database, order_id: int) -> Order:
    async with db.read() as session:
        order = await session.get(Order, order_id)
    assert order is not None
    return order


async def requested(services: Services, org: Org, places: int = 2) -> tuple[UserDTO, OrderDTO]:
    """A resident's request, approved by the community's coordinator."""
    resident = await person(services, 7_100_001, "王芳")
    order = await services.orders.create_request(resident, request_form(org))
    approver = await boss(services)
    published = await services.orders.approve(approver, order.id, Publication(places=places))
    return resident, published


async def grabbed(services: Services, order: OrderDTO, people: list[UserDTO]) -> list[int]:
    return [(await services.claims.grab(v, order.id)).id for v in people]


async def test_publishing_plans_the_three_jobs(db: Database, services: Services, org: Org) -> None:
    order = await activity(services, org, 2, starts_at=STARTS)
    async with db.read() as session:
        jobs = {j.key: j for j in await session.scalars(select(Job))}
    assert jobs[f"order:{order.id}:start"].due_at == STARTS
    assert jobs[f"order:{order.id}:no_show"].due_at == STARTS + GRACE
    assert jobs[f"order:{order.id}:auto_checkout"].due_at == ENDS + GRACE
    assert jobs[f"order:{order.id}:auto_checkout"].payload == {"order": order.id}


async def test_check_in_opens_shortly_before_the_start(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    order = await activity(services, org, 1, starts_at=STARTS)
    (v,) = await volunteers(db, org, 1)
    (claim_id,) = await grabbed(services, order, [v])

    clock.advance(days=2, minutes=-31)  # 31 minutes before the start
    with pytest.raises(CheckInNotOpen) as refused:
        await services.attendance.check_in(v, claim_id)
    assert refused.value.opens_at == STARTS - OPENS
    assert (await claim_row(db, claim_id)).state == "claimed"
    (place,) = await services.attendance.my_places(v)
    assert not place.can_check_in and place.check_in_opens_at == STARTS - OPENS

    clock.advance(minutes=1)
    (place,) = await services.attendance.my_places(v)
    assert place.can_check_in and not place.can_check_out and place.show_contact
    place = await services.attendance.check_in(v, claim_id, 30.55, 114.26)
    done = place.attendance
    assert done.state == "checked_in" and done.checked_in_at == clock.now() and done.located
    # check-out opens at the start: said now, offered then
    assert not place.can_check_out and place.check_out_opens_at == STARTS
    with pytest.raises(AlreadyDecided):
        await services.attendance.check_in(v, claim_id)
    with pytest.raises(CheckOutTooEarly):  # the service has not started
        await services.attendance.check_out(v, claim_id)
    with pytest.raises(InvalidValue):
        await services.attendance.share_location(v, claim_id, 91.0, 0.0)
    # checking in before the start leaves the order as it was: the start job moves it
    assert (await order_row(db, order.id)).state == "filled"
    await check_invariants(db, order.id)


async def test_hours_are_bounded_by_the_window_plus_grace(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    resident, order = await requested(services, org, places=2)
    early, late = await volunteers(db, org, 2)
    first, second = await grabbed(services, order, [early, late])

    clock.advance(days=2, minutes=-30)  # check-in opens
    await services.attendance.check_in(early, first)
    clock.advance(minutes=45)  # 15 minutes after the start; the start job has not run
    assert (await services.attendance.check_in(late, second)).can_check_out  # at once
    assert (await order_row(db, order.id)).state == "in_service"  # started on the way
    assert await outbox(db, f"order.started:{order.id}") is not None

    clock.advance(hours=2, minutes=5)  # 20 minutes after the end
    out = await services.attendance.check_out(early, first)
    # from start - grace (check-in was earlier still), to now: 30 + 120 + 20
    assert out.state == "done" and out.minutes == 170 and not out.auto_checked_out
    assert await outbox(db, f"order.confirm:{order.id}") is None  # one still on duty

    clock.advance(minutes=25)  # 45 minutes after the end: counted up to end + grace
    out = await services.attendance.check_out(late, second)
    assert out.minutes == 120 - 15 + 30
    with pytest.raises(AlreadyDecided):
        await services.attendance.check_out(late, second)

    snap = await check_invariants(db, order.id)
    assert snap.order.taken == 0 and snap.order.state == "in_service"
    ask = await outbox(db, f"order.confirm:{order.id}")
    assert ask is not None and ask.chat_id == resident.telegram_id
    assert ask.payload["buttons"][0][0]["callback_data"] == f"sc:{order.id}"


async def test_forgotten_check_out_is_made_at_end_plus_grace_and_flagged(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    _resident, order = await requested(services, org, places=1)
    (v,) = await volunteers(db, org, 1)
    (claim_id,) = await grabbed(services, order, [v])
    clock.advance(days=2, minutes=10)
    await run_jobs(db, clock, services)
    assert (await order_row(db, order.id)).state == "in_service"  # the start job
    await services.attendance.check_in(v, claim_id)
    clock.advance(hours=2, minutes=19)  # end + grace - 1 minute: nothing yet
    await run_jobs(db, clock, services)
    assert (await claim_row(db, claim_id)).state == "checked_in"

    clock.advance(hours=3)  # the bot was down: the job still runs, late
    await run_jobs(db, clock, services)
    claim = await claim_row(db, claim_id)
    assert claim.state == "done" and claim.auto_checked_out
    assert claim.checked_out_at == ENDS + GRACE
    assert claim.minutes == 110  # from check-in (start + 10) to the end of the window
    assert await outbox(db, f"claim.auto_checkout:{claim_id}") is not None
    assert await outbox(db, f"order.confirm:{order.id}") is not None
    await check_invariants(db, order.id)

    # running the jobs again changes nothing
    before = await outbox_keys(db)
    clock.advance(hours=1)
    await run_jobs(db, clock, services)
    assert await outbox_keys(db) == before


async def test_no_show_is_marked_and_the_coordinator_told(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    coordinator = await boss(services)  # the community's coordinator
    order = await activity(services, org, 2, starts_at=STARTS, actor=coordinator)
    came, absent = await volunteers(db, org, 2)
    here, missing = await grabbed(services, order, [came, absent])

    clock.advance(days=2)
    await run_jobs(db, clock, services)
    assert (await order_row(db, order.id)).state == "in_service"
    await services.attendance.check_in(came, here)
    clock.advance(minutes=29)
    await run_jobs(db, clock, services)
    assert (await claim_row(db, missing)).state == "claimed"  # still within the grace

    clock.advance(minutes=1)
    await run_jobs(db, clock, services)
    assert (await claim_row(db, missing)).state == "no_show"
    told = await outbox(db, f"claim.no_show:{missing}:{coordinator.telegram_id}")
    assert told is not None and order.number in told.payload["text"]
    assert told.payload["buttons"][0][0]["callback_data"] == f"av:{order.id}"
    assert await outbox(db, f"claim.no_show:{missing}") is not None  # the volunteer too
    assert await outbox(db, f"claim.no_show:{here}") is None
    with pytest.raises(CheckInClosed):
        await services.attendance.check_in(absent, missing)
    snap = await check_invariants(db, order.id)
    assert snap.order.taken == 1

    record = await services.attendance.record(coordinator, absent.id)
    assert (record.no_shows, record.services, record.minutes) == (1, 0, 0)


async def test_jobs_do_nothing_once_the_order_was_cancelled(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    resident, order = await requested(services, org, places=2)
    people = await volunteers(db, org, 2)
    claims = await grabbed(services, order, people)
    await services.orders.cancel_by_requester(resident, order.id)
    before = await outbox_keys(db)

    clock.advance(days=3)
    await run_jobs(db, clock, services)
    assert (await order_row(db, order.id)).state == "cancelled"
    for claim_id in claims:
        assert (await claim_row(db, claim_id)).state == "cancelled"
    assert await outbox_keys(db) == before
    with pytest.raises(NotAllowed):
        await services.attendance.check_in(people[0], claims[0])


async def test_the_waitlist_is_released_when_the_service_starts(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    _resident, order = await requested(services, org, places=1)
    holder, waiting = await volunteers(db, org, 2)
    (held,) = await grabbed(services, order, [holder])
    line = await services.claims.join_waitlist(waiting, order.id)
    assert line.state == "waitlisted"

    clock.advance(days=2)  # the start
    await run_jobs(db, clock, services)
    assert (await order_row(db, order.id)).state == "in_service"
    assert (await claim_row(db, held)).state == "claimed"
    released = await claim_row(db, line.id)
    assert released.state == "cancelled" and released.cancelled_at == clock.now()
    told = await outbox(db, f"order.waitlist_released:{order.id}:{waiting.telegram_id}")
    assert told is not None and told.chat_id == waiting.telegram_id
    assert order.number in told.payload["text"]
    await check_invariants(db, order.id)


async def served(
    db: Database, services: Services, org: Org, clock: FakeClock, n: int = 2
) -> tuple[UserDTO, OrderDTO, list[UserDTO], list[int]]:
    """A resident's order whose ``n`` volunteers checked in at the start and out at the end."""
    resident, order = await requested(services, org, places=n)
    people = await volunteers(db, org, n)
    claims = await grabbed(services, order, people)
    clock.advance(days=2)
    for v, claim_id in zip(people, claims, strict=True):
        await services.attendance.check_in(v, claim_id)
    clock.advance(hours=2)
    return resident, order, people, claims


async def test_a_coordinator_corrects_hours_with_a_reason_audited(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    resident, order, (v1, v2), (c1, _c2) = await served(db, services, org, clock)
    coordinator = await boss(services)
    with pytest.raises(NotFinished):  # still checked in
        await services.attendance.correct_hours(coordinator, c1, 100, "迟到了")
    await services.attendance.check_out(v1, c1)

    fixed = await services.attendance.correct_hours(coordinator, c1, 100, "  提前离开  ")
    assert fixed.minutes == 100 and fixed.minutes_corrected and fixed.state == "done"
    (entry,) = await audit_rows(db, "claim.correct_hours")
    assert entry.actor_id == coordinator.id and entry.target_id == c1
    assert entry.unit_id == org[COMMUNITY].id
    assert entry.detail == {
        "order": order.id,
        "from": 120,
        "to": 100,
        "state_from": "done",
        "state_to": "done",
        "reason": "提前离开",
    }
    assert await outbox(db, f"claim.hours_corrected:{c1}:{entry.id}") is not None

    # a coordinator above the community may; others may not
    street = await boss(services, STREET)
    await services.attendance.correct_hours(street, c1, 90, "核对签到表")
    other = await boss(services, OTHER_COMMUNITY)
    with pytest.raises(NotInScope):
        await services.attendance.correct_hours(other, c1, 0, "x")
    for nobody in (v1, v2, resident):
        with pytest.raises(NotAllowed):
            await services.attendance.correct_hours(nobody, c1, 0, "x")
        with pytest.raises(NotAllowed):
            await services.attendance.order_view(nobody, order.id)
    with pytest.raises(NotFound):
        await services.attendance.correct_hours(coordinator, 999_999, 10, "x")
    with pytest.raises(InvalidValue):
        await services.attendance.correct_hours(coordinator, c1, 10, "   ")
    with pytest.raises(InvalidValue):
        await services.attendance.correct_hours(coordinator, c1, 24 * 60 + 1, "x")
    assert (await claim_row(db, c1)).minutes == 90
    assert len(await audit_rows(db, "claim.correct_hours")) == 2


async def test_a_no_show_given_minutes_counts_as_served(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    resident, order = await requested(services, org, places=1)
    (v,) = await volunteers(db, org, 1)
    (claim_id,) = await grabbed(services, order, [v])
    clock.advance(days=2, minutes=30)
    await run_jobs(db, clock, services)
    assert (await claim_row(db, claim_id)).state == "no_show"
    told = await outbox(db, f"order.nobody_came:{order.id}")
    assert told is not None and told.chat_id == resident.telegram_id
    with pytest.raises(NotFinished):
        await services.attendance.confirm_completion(resident, order.id)

    coordinator = await boss(services)
    fixed = await services.attendance.correct_hours(coordinator, claim_id, 60, "签到表上有她")
    assert fixed.state == "done" and fixed.minutes == 60
    assert await outbox(db, f"order.confirm:{order.id}") is not None
    await services.attendance.confirm_completion(resident, order.id)
    assert (await order_row(db, order.id)).state == "completed"


async def test_forged_claim_ids_are_refused(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    order = await activity(services, org, 2, starts_at=STARTS)
    owner, intruder = await volunteers(db, org, 2)
    (claim_id,) = await grabbed(services, order, [owner])
    clock.advance(days=2)
    for attempt in (
        services.attendance.check_in(intruder, claim_id),
        services.attendance.check_in(intruder, 999_999),
        services.attendance.check_out(intruder, claim_id),
        services.attendance.share_location(intruder, claim_id, 30.0, 114.0),
    ):
        with pytest.raises(NotFound):
            await attempt
    assert (await claim_row(db, claim_id)).state == "claimed"
    with pytest.raises(NotCheckedIn):
        await services.attendance.check_out(owner, claim_id)


async def test_the_requester_confirms_completion(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    resident, order, (v1, v2), (c1, c2) = await served(db, services, org, clock)
    completed: list[OrderDTO] = []

    async def hook(session: object, dto: OrderDTO) -> None:
        completed.append(dto)

    services.attendance.on_completed.append(hook)
    await services.attendance.check_out(v1, c1)
    with pytest.raises(NotFinished):  # v2 still on duty
        await services.attendance.confirm_completion(resident, order.id)
    await services.attendance.check_out(v2, c2)

    stranger = await person(services, 7_100_999)
    for nobody in (stranger, v1):
        with pytest.raises(NotAllowed):
            await services.attendance.confirm_completion(nobody, order.id)
    with pytest.raises(NotInScope):
        await services.attendance.confirm_completion(
            await boss(services, OTHER_COMMUNITY), order.id
        )

    done = await services.attendance.confirm_completion(resident, order.id)
    assert done.state == "completed" and [o.id for o in completed] == [order.id]
    stored = await order_row(db, order.id)
    assert stored.completed_by_id == resident.id and stored.completed_at == clock.now()
    # the requester's reply to their own press is their one completion message
    assert await outbox(db, f"order.completed:{order.id}") is None
    for claim_id in (c1, c2):
        told = await outbox(db, f"order.completed:{order.id}:{claim_id}")
        assert told is not None and "120" in told.payload["text"]
    assert await audit_rows(db, "order.complete") == []  # the requester is not audited
    with pytest.raises(AlreadyDecided):
        await services.attendance.confirm_completion(resident, order.id)

    # later jobs leave a completed order alone
    before = await outbox_keys(db)
    clock.advance(hours=2)
    await run_jobs(db, clock, services)
    assert await outbox_keys(db) == before
    assert (await order_row(db, order.id)).state == "completed"


async def test_a_coordinator_confirms_completion_audited(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    resident, order, _people, _claims = await served(db, services, org, clock, n=1)
    coordinator = await boss(services)
    view = await services.attendance.order_view(coordinator, order.id)
    assert not view.completable
    clock.advance(minutes=30)
    await run_jobs(db, clock, services)  # the forgotten check-out
    view = await services.attendance.order_view(coordinator, order.id)
    assert view.completable
    ((row, record),) = view.rows
    assert row.auto_checked_out and row.minutes == 120 and row.guidance_confirmed_at is None
    assert record.services == 1 and record.minutes == 120

    done = await services.attendance.confirm_completion(coordinator, order.id)
    assert done.state == "completed"
    (entry,) = await audit_rows(db, "order.complete")
    assert entry.actor_id == coordinator.id and entry.target_id == order.id
    told = await outbox(db, f"order.completed:{order.id}")
    assert told is not None and told.chat_id == resident.telegram_id
    assert (await order_row(db, order.id)).completed_by_id == coordinator.id


async def test_the_record_counts_late_cancels_no_shows_and_hours(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    coordinator = await boss(services)
    (v,) = await volunteers(db, org, 1)
    late = await activity(services, org, 1, starts_at=STARTS)
    (late_claim,) = await grabbed(services, late, [v])
    missed = await activity(services, org, 1, starts_at=STARTS + timedelta(days=1))
    (missed_claim,) = await grabbed(services, missed, [v])
    kept = await activity(services, org, 1, starts_at=STARTS + timedelta(days=2))
    (kept_claim,) = await grabbed(services, kept, [v])
    assert [p.attendance.order.id for p in await services.attendance.my_places(v)] == [
        late.id,
        missed.id,
        kept.id,
    ]

    clock.advance(days=2, hours=-1)
    await services.claims.cancel(v, late_claim)  # within the cut-off: late
    clock.advance(days=1, hours=2)  # missed: start + 1 h, past the grace
    await run_jobs(db, clock, services)
    clock.advance(days=1, hours=-1)  # kept starts now
    await services.attendance.check_in(v, kept_claim)
    clock.advance(minutes=45)
    await services.attendance.check_out(v, kept_claim)

    record = await services.attendance.record(coordinator, v.id)
    assert (record.services, record.minutes, record.late_cancels, record.no_shows) == (
        1,
        45,
        1,
        1,
    )
    assert await services.attendance.my_record(v) == record
    assert await services.attendance.my_places(v) == []
    with pytest.raises(NotInScope):
        await services.attendance.record(await boss(services, OTHER_COMMUNITY), v.id)
    assert (await claim_row(db, missed_claim)).state == "no_show"


async def test_live_orders_and_lookup_are_scoped(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    coordinator = await boss(services)
    order = await activity(services, org, 1, starts_at=STARTS)
    page = await services.attendance.live_orders(coordinator)
    assert [o.id for o in page.items] == [order.id]
    assert await services.attendance.find_order(coordinator, order.number.lower()) == order.id
    assert await services.attendance.find_order(coordinator, str(order.id)) == order.id
    other = await boss(services, OTHER_COMMUNITY)
    assert (await services.attendance.live_orders(other)).total == 0
    with pytest.raises(NotInScope):
        await services.attendance.find_order(other, order.number)
    with pytest.raises(InvalidValue):
        await services.attendance.find_order(coordinator, "HY999999")
