"""An order's announcement as a campaign (bot/services/fanout/campaigns.py): the
publishing transaction commits one campaign row and no recipient, and the fan-out
writes the recipients afterwards a page at a time — each page once, whoever writes
it, resuming where a crash left it, stopping when the order can no longer be
grabbed. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import select

from bot.container import Services
from bot.services.fanout.campaigns import ORDER_ANNOUNCE
from bot.services.requests.publish import Publication
from storage.database import Database
from storage.enums import CampaignState, OrderState
from storage.models import Campaign, Order, OutboxMessage
from storage.repositories import volunteers as volunteers_repo
from tests.support.orders import boss, request_form, volunteers
from tests.support.services import COMMUNITY, FakeClock, Org, build_services, person

PAGE = 3


async def announced(db: Database, order_id: int) -> Counter[int]:
    """chat id → how many announcements of the order it has in the outbox"""
    async with db.read() as session:
        rows = await session.scalars(
            select(OutboxMessage.chat_id).where(
                OutboxMessage.dedup_key.startswith(f"publish:{order_id}:")
            )
        )
        return Counter(rows)


async def campaign_of(db: Database, order_id: int) -> Campaign:
    async with db.read() as session:
        [campaign] = [
            c
            for c in await session.scalars(select(Campaign).order_by(Campaign.id))
            if c.kind == ORDER_ANNOUNCE and c.params == {"order": order_id}
        ]
        return campaign


async def audience(db: Database, org: Org) -> set[int]:
    """The announcement's audience, read the old way (every approved volunteer of the
    community, one query)."""
    async with db.read() as session:
        path = org[COMMUNITY].path
        return {u.telegram_id for u in await volunteers_repo.approved_under(session, path)}


async def publish(services: Services, org: Org) -> int:
    resident = await person(services, 1001)
    order = await services.orders.create_request(resident, request_form(org))
    await services.orders.approve(await boss(services), order.id, Publication(places=2))
    return order.id


async def test_publishing_commits_the_campaign_and_the_fan_out_writes_each_page_once(
    db: Database, services: Services, org: Org
) -> None:
    await volunteers(db, org, 10)
    services.campaigns.page_size = PAGE
    order_id = await publish(services, org)
    # the coordinator's answer waits for one campaign row, however many volunteers
    assert await announced(db, order_id) == Counter()
    campaign = await campaign_of(db, order_id)
    assert (campaign.state, campaign.recipients, campaign.cursor) == ("running", 0, 0)

    assert await services.campaigns.materialise() == 10
    told = await announced(db, order_id)
    assert set(told) == await audience(db, org) and set(told.values()) == {1}
    campaign = await campaign_of(db, order_id)
    assert (campaign.state, campaign.recipients, campaign.pages) == ("done", 10, 4)
    assert await services.campaigns.materialise() == 0  # nothing left, nothing again


async def test_a_restart_resumes_at_the_cursor_and_nobody_is_told_twice(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    await volunteers(db, org, 10)
    services.campaigns.page_size = PAGE
    order_id = await publish(services, org)
    [campaign_id] = await services.campaigns.running()
    for _ in range(2):  # two pages, then the process dies
        assert (await services.campaigns.step(campaign_id)).written == PAGE
    assert sum((await announced(db, order_id)).values()) == 2 * PAGE

    restarted = build_services(db, clock)
    restarted.campaigns.page_size = PAGE
    assert await restarted.campaigns.materialise() == 10 - 2 * PAGE
    told = await announced(db, order_id)
    assert set(told) == await audience(db, org) and set(told.values()) == {1}


async def test_two_processes_writing_one_campaign_write_each_page_once(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    await volunteers(db, org, 25)
    order_id = await publish(services, org)
    workers = [build_services(db, clock) for _ in range(3)]
    for worker in workers:
        worker.campaigns.page_size = PAGE
    written = await asyncio.gather(*(w.campaigns.materialise() for w in workers))
    assert sum(written) == 25  # a page two of them read was written by one
    told = await announced(db, order_id)
    assert set(told) == await audience(db, org) and set(told.values()) == {1}
    campaign = await campaign_of(db, order_id)
    assert (campaign.state, campaign.recipients) == ("done", 25)


async def test_an_order_cancelled_mid_fan_out_is_not_announced_to_the_rest(
    db: Database, services: Services, org: Org
) -> None:
    await volunteers(db, org, 10)
    services.campaigns.page_size = PAGE
    resident = await person(services, 1001)
    order = await services.orders.create_request(resident, request_form(org))
    await services.orders.approve(await boss(services), order.id, Publication(places=2))
    [campaign_id] = await services.campaigns.running()
    await services.campaigns.step(campaign_id)
    await services.orders.cancel_by_requester(resident, order.id)
    assert await services.campaigns.materialise() == 0
    assert sum((await announced(db, order.id)).values()) == PAGE
    campaign = await campaign_of(db, order.id)
    assert campaign.state == CampaignState.STOPPED.value and campaign.stop_reason


async def test_a_filled_order_is_still_announced_to_the_rest(
    db: Database, services: Services, org: Org
) -> None:
    """Its announcement offers the waitlist, and a freed place opens it again."""
    crowd = await volunteers(db, org, 7)
    services.campaigns.page_size = PAGE
    resident = await person(services, 1001)
    order = await services.orders.create_request(resident, request_form(org))
    await services.orders.approve(await boss(services), order.id, Publication(places=1))
    [campaign_id] = await services.campaigns.running()
    await services.campaigns.step(campaign_id)
    await services.claims.grab(crowd[0], order.id)  # the only place
    async with db.read() as session:
        assert (await session.get(Order, order.id)).state == OrderState.FILLED.value  # type: ignore[union-attr]
    assert await services.campaigns.materialise() == 7 - PAGE
    assert set(await announced(db, order.id)) == {v.telegram_id for v in crowd}


async def test_a_campaign_of_an_unknown_kind_is_left_running_for_a_process_that_knows_it(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    await volunteers(db, org, 2)
    order_id = await publish(services, org)
    async with db.transaction() as session:
        campaign = await session.get(Campaign, (await campaign_of(db, order_id)).id)
        assert campaign is not None
        campaign.kind = "from.a.newer.version"
    assert await services.campaigns.materialise() == 0
    assert (await campaign_of_kind(db, "from.a.newer.version")).state == "running"


async def campaign_of_kind(db: Database, kind: str) -> Campaign:
    async with db.read() as session:
        [campaign] = await session.scalars(select(Campaign).where(Campaign.kind == kind))
        return campaign
