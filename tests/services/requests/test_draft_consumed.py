"""The service that consumes a flow's draft ends it in its own transaction: both
committed, or neither (bot/services/kernel/flows.py clear_draft)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.container import Services
from bot.services.kernel.dto import OrderDTO
from storage.database import Database
from storage.models import Order
from tests.support.orders import request_form
from tests.support.services import Org, count, person


async def test_the_request_ends_its_draft(services: Services, db: Database, org: Org) -> None:
    resident = await person(services, 6001)
    await services.flows.save(resident.id, "request", "confirm", {"helpers": 2})
    await services.orders.create_request(resident, request_form(org), draft_of=resident.id)
    assert await count(db, Order) == 1
    assert await services.flows.get(resident.id) is None


async def test_a_failed_request_keeps_its_draft(
    services: Services, db: Database, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure inside the intake's transaction, after the draft's row was deleted in
    it: rolled back together, the draft is there to submit (once) again."""
    resident = await person(services, 6001)
    await services.flows.save(resident.id, "request", "confirm", {"helpers": 2})

    async def crash(_session: AsyncSession, _order: OrderDTO) -> None:
        raise RuntimeError("the process died before the commit")

    monkeypatch.setattr(services.orders, "on_requested", [crash])
    with pytest.raises(RuntimeError):
        await services.orders.create_request(resident, request_form(org), draft_of=resident.id)
    assert await count(db, Order) == 0
    state = await services.flows.get(resident.id)
    assert state is not None and state.data == {"helpers": 2}
