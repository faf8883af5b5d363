"""Escalation (三级阵地) and expiry, on both back ends, driven by the injectable clock and
the real job runner: an unreviewed request goes to the street's coordinators, then the
district's (and to nobody once reviewed); an order short of volunteers is flagged with
a one-tap "announce wider" that reaches only the newly covered volunteers; an order
nobody took (or nobody reviewed) expires at its start and the requester is told; the
rights on "announce wider" hold. Also the reviewer's edits of a pending request."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, select, update

from bot import callback_data
from bot.container import Services
from bot.i18n import get_translator
from bot.jobs.kinds import JobContext, default_registry
from bot.jobs.runner import JobRunner
from bot.services.kernel.dto import UnitDTO, UserDTO
from bot.services.kernel.errors import (
    AlreadyDecided,
    InvalidValue,
    NotAllowed,
    NotFound,
    NotInScope,
    OrderClosed,
)
from bot.services.requests.publish import Publication
from storage.database import Database
from storage.enums import ClaimState, OrderState
from storage.models import Claim, Job, Order, OrgUnit, OutboxMessage
from tests.support.orders import activity, boss, request_form
from tests.support.people import add_approved_volunteers
from tests.support.services import (
    COMMUNITY,
    DISTRICT,
    OTHER_COMMUNITY,
    OTHER_STREET,
    START,
    STREET,
    FakeClock,
    Org,
    audit_rows,
    person,
)

_ids = itertools.count(7_000_000)


def move_to(clock: FakeClock, at: datetime) -> None:
    clock.advance(seconds=(at - clock.now()).total_seconds())


def runner(db: Database, clock: FakeClock, services: Services) -> JobRunner:
    return JobRunner(db, clock, default_registry(), JobContext(clock, services))


async def messages(db: Database, prefix: str) -> dict[str, OutboxMessage]:
    async with db.read() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.dedup_key.startswith(prefix))
        )
        return {row.dedup_key: row for row in rows}


async def chats(db: Database, prefix: str) -> set[int]:
    return {m.chat_id for m in (await messages(db, prefix)).values()}


def buttons(message: OutboxMessage) -> list[str]:
    return [b["callback_data"] for row in message.payload.get("buttons", []) for b in row]


async def order_row(db: Database, order_id: int) -> Order:
    async with db.read() as session:
        row = await session.get(Order, order_id)
        assert row is not None
        return row


async def second_community(db: Database, org: Org) -> UnitDTO:
    """Another community on the order's street (the example org has one per street)."""
    street = org[STREET]
    async with db.transaction() as session:
        uid = await session.scalar(
            insert(OrgUnit)
            .values(
                parent_id=street.id,
                kind="community",
                code="longyang.second",
                name_zh="第二社区",
                name_en="Second Community",
                path="",
            )
            .returning(OrgUnit.id)
        )
        assert uid is not None
        path = f"{street.path}{uid}/"
        await session.execute(update(OrgUnit).where(OrgUnit.id == uid).values(path=path))
    return UnitDTO(uid, street.id, "community", "longyang.second", "第二社区", "Second", path)


async def volunteers_in(db: Database, community_id: int, n: int) -> list[int]:
    """``n`` approved volunteers of the community: their telegram ids."""
    tids = [next(_ids) for _ in range(n)]
    await add_approved_volunteers(db, community_id, tids, consent_at=START)
    return tids


class People:
    def __init__(
        self, community: UserDTO, street: UserDTO, district: UserDTO, other: UserDTO
    ) -> None:
        self.community, self.street, self.district, self.other = community, street, district, other


async def coordinators(services: Services) -> People:
    return People(
        await boss(services, COMMUNITY),
        await boss(services, STREET),
        await boss(services, DISTRICT),
        await boss(services, OTHER_STREET),
    )


# ---- an unreviewed request goes up: the street, then the district --------------------


async def test_unreviewed_request_goes_to_the_street_then_the_district(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    people = await coordinators(services)
    resident = await person(services, 1001)
    order = await services.orders.create_request(resident, request_form(org))
    jobs = runner(db, clock, services)

    clock.advance(hours=1, minutes=59)
    await jobs.tick()
    assert await messages(db, "order.overdue:") == {}

    clock.advance(minutes=1)  # 2 h: the street's coordinators
    assert (await jobs.tick()).ran == 1
    told = await messages(db, "order.overdue:")
    assert {m.chat_id for m in told.values()} == {people.street.telegram_id}
    [note] = told.values()
    assert order.number in note.payload["text"] and "2" in note.payload["text"]
    assert buttons(note) == [callback_data.encode(callback_data.REVIEW_ORDER, order.id)]

    clock.advance(hours=4)  # 6 h: the district's
    await jobs.tick()
    assert await chats(db, f"order.overdue:{order.id}:district:") == {people.district.telegram_id}
    # never the community's own coordinator (who had the request in /review all along),
    # nor another street's
    assert await chats(db, "order.overdue:") == {
        people.street.telegram_id,
        people.district.telegram_id,
    }
    # the street coordinator may open its review from the button
    assert (await services.orders.reviewable(people.street, order.id)).id == order.id


async def test_nobody_is_told_once_the_request_is_reviewed(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    people = await coordinators(services)
    resident = await person(services, 1001)
    first = await services.orders.create_request(resident, request_form(org))
    second = await services.orders.create_request(resident, request_form(org))
    clock.advance(hours=1)
    await services.orders.approve(people.community, first.id, Publication(places=2))
    await services.orders.reject(people.community, second.id, "已有人帮忙")
    clock.advance(hours=7)
    await runner(db, clock, services).tick()
    assert await messages(db, "order.overdue:") == {}
    assert (await order_row(db, first.id)).state == OrderState.OPEN.value


# ---- an order short of volunteers: the flag, and "announce wider" ---------------------


async def test_unfilled_order_is_flagged_and_widened_to_the_new_volunteers_only(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    people = await coordinators(services)
    neighbour = await second_community(db, org)
    own = await volunteers_in(db, org[COMMUNITY].id, 2)
    street_only = await volunteers_in(db, neighbour.id, 2)
    elsewhere = await volunteers_in(db, org[OTHER_COMMUNITY].id, 1)
    starts = START + timedelta(days=2)
    order = await activity(services, org, 3, starts_at=starts, actor=people.community)
    assert await chats(db, f"publish:{order.id}:") == set(own)

    volunteer = await services.users.get(own[0])
    await services.claims.grab(volunteer, order.id)
    jobs = runner(db, clock, services)
    move_to(clock, starts - timedelta(hours=12, minutes=1))
    await jobs.tick()
    assert await messages(db, "order.unfilled:") == {}
    clock.advance(minutes=1)  # 12 h before the start, 1 of 3 places taken
    await jobs.tick()
    told = await messages(db, "order.unfilled:")
    # the nearest unit that has coordinators: the community's own
    assert {m.chat_id for m in told.values()} == {people.community.telegram_id}
    [flag] = told.values()
    assert "1/3" in flag.payload["text"]
    assert buttons(flag) == [callback_data.encode(callback_data.WIDEN, order.id)]

    widened = await services.escalation.widen(people.community, order.id)
    await services.campaigns.materialise()  # the fan-out, after the commit
    assert widened.order.scope == "street"
    announced = await messages(db, f"publish:{order.id}:")
    # the neighbours on the street are told; the community's volunteers not a second time
    assert sorted(m.chat_id for m in announced.values()) == sorted(own + street_only)
    assert elsewhere[0] not in {m.chat_id for m in announced.values()}
    [entry] = await audit_rows(db, "order.widen")
    assert entry.actor_id == people.community.id and entry.target_id == order.id

    # once the street knows, there is nothing wider (the street is the widest scope)
    with pytest.raises(InvalidValue) as refused:
        await services.escalation.widen(people.street, order.id)
    assert refused.value.reason == "widest"


async def test_widening_says_when_grabbing_opens_as_of_now(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    """The announcement to the street says "opens at …" only while that is still to
    come (issue 12, item 10)."""
    people = await coordinators(services)
    own = await volunteers_in(db, org[COMMUNITY].id, 1)
    neighbour = await volunteers_in(db, (await second_community(db, org)).id, 1)
    opens = START + timedelta(hours=1)
    order = await activity(services, org, 2, actor=people.community, opens_at=opens)
    [first] = (await messages(db, f"publish:{order.id}:")).values()
    assert first.chat_id == own[0]
    later = get_translator("zh_CN")("grab.announced_opens", opens="2026-03-01 18:00")
    assert later in first.payload["text"]
    clock.advance(hours=2)
    await services.escalation.widen(people.community, order.id)
    await services.campaigns.materialise()
    told = {m.chat_id: m for m in (await messages(db, f"publish:{order.id}:")).values()}
    assert get_translator("zh_CN")("grab.announced_open") in told[neighbour[0]].payload["text"]


async def test_a_full_order_is_not_flagged_and_cannot_be_widened(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    people = await coordinators(services)
    own = await volunteers_in(db, org[COMMUNITY].id, 1)
    order = await activity(services, org, 1, actor=people.community)
    await services.claims.grab(await services.users.get(own[0]), order.id)
    clock.advance(hours=40)
    await runner(db, clock, services).tick()
    assert await messages(db, "order.unfilled:") == {}
    with pytest.raises(OrderClosed):
        await services.escalation.widen(people.community, order.id)


async def test_an_order_published_late_is_flagged_halfway_to_its_start(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    people = await coordinators(services)
    starts = START + timedelta(hours=4)
    order = await activity(services, org, 2, starts_at=starts, actor=people.community)
    async with db.read() as session:
        job = await session.scalar(select(Job).where(Job.key == f"order:{order.id}:unfilled"))
    assert job is not None and job.due_at == START + timedelta(hours=2)


async def test_only_a_coordinator_over_the_order_may_announce_it_wider(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    people = await coordinators(services)
    own = await volunteers_in(db, org[COMMUNITY].id, 1)
    order = await activity(services, org, 3, actor=people.community)
    resident = await person(services, 1001)
    volunteer = await services.users.get(own[0])
    for who, error in (
        (resident, NotAllowed),
        (volunteer, NotAllowed),
        (people.other, NotInScope),  # another street's coordinator
        (await boss(services, OTHER_COMMUNITY), NotInScope),
    ):
        with pytest.raises(error):
            await services.escalation.widen(who, order.id)
    with pytest.raises(NotFound):  # a forged order id
        await services.escalation.widen(people.community, order.id + 999)
    assert (await order_row(db, order.id)).scope == "community"
    assert await audit_rows(db, "order.widen") == []
    # the street's and the district's coordinators may
    assert (await services.escalation.widen(people.district, order.id)).order.scope == "street"


# ---- expiry at the start ------------------------------------------------------------


async def test_expiry_at_the_start_tells_the_requester(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    people = await coordinators(services)
    resident = await person(services, 1001)
    other = await person(services, 1002, language_code="en")
    starts = START + timedelta(days=1)
    form = request_form(org, starts_at=starts, ends_at=starts + timedelta(hours=2))
    unreviewed = await services.orders.create_request(resident, form)
    untaken = await services.orders.create_request(other, form)
    partly = await services.orders.create_request(other, form)
    await services.orders.approve(people.community, untaken.id, Publication(places=2))
    await services.orders.approve(people.community, partly.id, Publication(places=3))
    [vid] = await volunteers_in(db, org[COMMUNITY].id, 1)
    await services.claims.grab(await services.users.get(vid), partly.id)
    # a waitlisted volunteer left behind on the untaken order (e.g. after cancellations)
    [wid] = await volunteers_in(db, org[COMMUNITY].id, 1)
    waiting = await services.users.get(wid)
    async with db.transaction() as session:
        await session.execute(
            insert(Claim).values(
                order_id=untaken.id,
                volunteer_id=waiting.id,
                state=ClaimState.WAITLISTED.value,
                joined_at=START,
            )
        )
    jobs = runner(db, clock, services)
    move_to(clock, starts - timedelta(seconds=1))
    await jobs.tick()
    assert (await order_row(db, unreviewed.id)).state == OrderState.PENDING_REVIEW.value

    clock.advance(seconds=1)
    await jobs.tick()
    assert (await order_row(db, unreviewed.id)).state == OrderState.EXPIRED.value
    assert (await order_row(db, untaken.id)).state == OrderState.EXPIRED.value
    # an order some volunteers took goes ahead with fewer
    assert (await order_row(db, partly.id)).state != OrderState.EXPIRED.value
    told = await messages(db, "order.expired:")
    assert told[f"order.expired:{unreviewed.id}"].chat_id == 1001
    assert "未能审核" in told[f"order.expired:{unreviewed.id}"].payload["text"]
    assert told[f"order.expired:{untaken.id}"].chat_id == 1002
    assert "no volunteer took up" in told[f"order.expired:{untaken.id}"].payload["text"]
    released = await messages(db, "order.waitlist_released:")
    assert released[f"order.waitlist_released:{untaken.id}:{wid}"].chat_id == wid
    assert f"order.expired:{partly.id}" not in told
    async with db.read() as session:
        claim = await session.scalar(select(Claim).where(Claim.volunteer_id == waiting.id))
    assert claim is not None and claim.state == ClaimState.CANCELLED.value
    # a second run (a restart, another worker) changes nothing and tells nobody twice
    async with db.transaction() as session:
        assert await services.escalation.expire(session, unreviewed.id) is False
    await jobs.tick()
    assert len(await messages(db, "order.expired:")) == len(told)


# ---- the reviewer's edits -------------------------------------------------------------


async def test_edit_request_checks_audits_without_the_phone_and_tells_the_requester(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    people = await coordinators(services)
    resident = await person(services, 1001)
    order = await services.orders.create_request(resident, request_form(org))
    later = order.starts_at + timedelta(days=1)
    edited, changed = await services.orders.edit_request(
        people.street,
        order.id,
        {
            "description": "  买菜 <b>  ",
            "contact_phone": "139 0013 9000",
            "starts_at": later,
            "ends_at": later + timedelta(hours=1),
        },
    )
    assert changed == ("contact_phone", "description", "ends_at", "starts_at")
    assert edited.description == "买菜 <b>" and edited.contact_phone == "+8613900139000"
    [entry] = await audit_rows(db, "order.edit")
    assert entry.detail["fields"] == list(changed)
    assert entry.detail["new"]["description"] == "买菜 <b>"
    assert "9000" not in str(entry.detail) and "contact_phone" not in entry.detail["new"]
    [note] = (await messages(db, f"order.edited:{order.id}:")).values()
    assert note.chat_id == 1001 and "联系电话" in note.payload["text"]
    assert "时间" in note.payload["text"] and "9000" not in note.payload["text"]
    async with db.read() as session:
        job = await session.scalar(select(Job).where(Job.key == f"order:{order.id}:expire"))
    assert job is not None and job.due_at == later  # expiry follows the new start

    # the same checks as a new request; nothing changes on a bad value
    for changes, field in (
        ({"description": " "}, "description"),
        ({"description": "x" * 10_000}, "description"),
        ({"contact_phone": "12345"}, "phone"),
        ({"helpers_requested": 0}, "helpers"),
        ({"starts_at": START - timedelta(hours=1)}, "starts_at"),
        ({"community_id": org[OTHER_COMMUNITY].id}, "field"),
    ):
        with pytest.raises(InvalidValue) as bad:
            await services.orders.edit_request(people.community, order.id, changes)
        assert bad.value.field == field
    assert (await order_row(db, order.id)).description == "买菜 <b>"
    # nothing to change: nothing audited, nobody told
    _same, none = await services.orders.edit_request(
        people.community, order.id, {"description": "买菜 <b>"}
    )
    assert none == () and len(await audit_rows(db, "order.edit")) == 1

    with pytest.raises(NotInScope):
        await services.orders.edit_request(people.other, order.id, {"description": "x"})
    with pytest.raises(NotAllowed):
        await services.orders.edit_request(resident, order.id, {"description": "x"})
    await services.orders.approve(people.community, order.id, Publication(places=1))
    with pytest.raises(AlreadyDecided):  # only while it waits for review
        await services.orders.edit_request(people.community, order.id, {"description": "x"})
