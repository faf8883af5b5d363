"""Helpers for order and claim tests: forms, published orders, many volunteers fast,
and the invariants every order must keep."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.container import Services
from bot.services.kernel.dto import OrderDTO, UnitDTO, UserDTO
from bot.services.requests.forms import OrderForm
from bot.services.requests.publish import Publication
from storage.database import Database
from storage.enums import PLACE_HOLDING, ApprovalState, ClaimState, OrderState
from storage.models import Claim, Order
from tests.support.people import add_approved_volunteers
from tests.support.services import COMMUNITY, ORG_FILE, START, Org, coordinator

_telegram_ids = itertools.count(5_000_000)


def request_form(org: Org, **changes: Any) -> OrderForm:
    starts = START + timedelta(days=2)
    values: dict[str, Any] = {
        "category": "elderly_visit",
        "description": "陪老人聊天，帮忙买菜",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "community_id": org[COMMUNITY].id,
        "address": "龙湖东岸 3 栋 2 单元 401",
        "contact_phone": "138 0013 8000",
        "helpers_requested": 2,
    }
    values.update(changes)
    return OrderForm(**values)


async def boss(services: Services, unit_code: str = COMMUNITY) -> UserDTO:
    return await coordinator(services, next(_telegram_ids), unit_code)


async def activity(
    services: Services,
    org: Org,
    places: int,
    *,
    starts_at: datetime | None = None,
    hours: float = 2,
    actor: UserDTO | None = None,
    community_id: int | None = None,
    **publication: Any,
) -> OrderDTO:
    """An order open for grabbing (a coordinator's activity, no review), in COMMUNITY
    unless ``community_id`` says otherwise, and announced: its campaign's recipients
    written to the outbox, as the fan-out does after the commit."""
    actor = actor or await boss(services)
    starts = starts_at or START + timedelta(days=2)
    form = request_form(org, starts_at=starts, ends_at=starts + timedelta(hours=hours))
    if community_id is not None:
        form = replace(form, community_id=community_id)
    order = await services.orders.create_activity(
        actor, form, Publication(places=places, **publication)
    )
    await services.campaigns.materialise()
    return order


async def volunteers(
    db: Database, org: Org, n: int, *, team_id: int | None = None, community_code: str = COMMUNITY
) -> list[UserDTO]:
    """``n`` approved volunteers (of the community ``community_code``), inserted in bulk
    (registering 1,000 one by one would take longer than the storm)."""
    community = org[community_code].id
    tids = [next(_telegram_ids) for _ in range(n)]
    rows = await add_approved_volunteers(
        db, community, tids, phone="+8613800138000", team_id=team_id, consent_at=START
    )
    return [
        UserDTO(
            id=uid,
            telegram_id=tid,
            first_name=f"V{tid}",
            language="zh_CN",
            chosen_language=None,
            community_id=community,
            volunteer_status=ApprovalState.APPROVED.value,
        )
        for uid, tid in rows
    ]


NEIGHBOUR = "longyang.neighbour"  # a second community of COMMUNITY's street


async def add_neighbour(services: Services, org: Org, folder: Path) -> UnitDTO:
    """The example org with a second community in COMMUNITY's street (:data:`NEIGHBOUR`),
    imported over it (an import only adds); the unit, also put into ``org``."""
    path = folder / "orgs.toml"
    path.write_text(
        ORG_FILE.read_text(encoding="utf-8")
        + f'\n[[community]]\ncode = "{NEIGHBOUR}"\nstreet = "longyang"\n'
        + 'name_zh = "龙阳邻里社区"\nname_en = "Longyang Neighbours Community"\n',
        encoding="utf-8",
    )
    await services.org.import_file(path)
    unit = await services.org.unit_by_code(NEIGHBOUR)
    assert unit is not None
    org.units[NEIGHBOUR] = unit
    return unit


@dataclass(frozen=True)
class Snapshot:
    order: Order
    claims: list[Claim]

    def in_state(self, *states: str) -> list[Claim]:
        return [c for c in self.claims if c.state in states]


async def snapshot(db: Database, order_id: int) -> Snapshot:
    async with db.read() as session:
        order = await session.get(Order, order_id)
        assert order is not None
        claims = list(await session.scalars(select(Claim).where(Claim.order_id == order_id)))
    return Snapshot(order, claims)


async def check_invariants(db: Database, order_id: int) -> Snapshot:
    """What must hold for any order, whatever happened to it."""
    snap = await snapshot(db, order_id)
    order = snap.order
    holding = snap.in_state(*PLACE_HOLDING)
    assert order.taken == len(holding), (order.taken, [c.state for c in snap.claims])
    assert 0 <= order.taken <= order.places
    volunteers_ = [c.volunteer_id for c in snap.claims]
    assert len(volunteers_) == len(set(volunteers_))  # one row (so one place) per volunteer
    if order.state in (OrderState.OPEN.value, OrderState.FILLED.value):
        full = order.taken == order.places
        assert order.state == (OrderState.FILLED.value if full else OrderState.OPEN.value)
    waiting = snap.in_state(ClaimState.WAITLISTED.value)
    if waiting:
        # nobody waits while a place is free …
        assert order.taken == order.places
        # … and offers went to those who joined first
        first_waiting = min(c.joined_at for c in waiting)
        for offered in snap.in_state(ClaimState.OFFERED.value):
            assert offered.joined_at <= first_waiting
    return snap
