"""FlowService: the drafts of chat flows, kept in the database."""

from __future__ import annotations

from sqlalchemy import update

from bot.services import Services
from storage.database import Database
from storage.models import FlowState
from tests.services.support import count, person


async def test_save_creates_then_increments_the_nonce(services: Services, db: Database) -> None:
    user = await person(services, 1001)
    first = await services.flows.save(user.id, "volunteer", "name", {})
    assert (first.flow, first.step, first.nonce, first.data) == ("volunteer", "name", 1, {})

    second = await services.flows.save(user.id, "volunteer", "phone", {"name": "王芳"})
    third = await services.flows.save(user.id, "volunteer", "phone", {"name": "王芳"})
    assert (second.step, second.nonce, second.data) == ("phone", 2, {"name": "王芳"})
    assert third.nonce == 3  # saving the same step again still makes earlier buttons stale
    assert await count(db, FlowState) == 1

    got = await services.flows.get(user.id)
    assert got == third


async def test_another_flow_replaces_the_draft(services: Services) -> None:
    user = await person(services, 1001)
    await services.flows.save(user.id, "volunteer", "name", {"name": "x"})
    other = await services.flows.save(user.id, "resident", "street", {})
    assert (other.flow, other.step, other.data, other.nonce) == ("resident", "street", {}, 2)


async def test_nonce_wraps_around(services: Services, db: Database) -> None:
    user = await person(services, 1001)
    await services.flows.save(user.id, "volunteer", "name", {})
    async with db.transaction() as session:
        await session.execute(
            update(FlowState).where(FlowState.user_id == user.id).values(nonce=9999)
        )
    wrapped = await services.flows.save(user.id, "volunteer", "phone", {})
    assert wrapped.nonce == 1


async def test_data_round_trips(services: Services) -> None:
    user = await person(services, 1001)
    data = {"name": "Alice <b>&", "team_ids": [3, 1], "grid_id": None, "nested": {"a": [1, 2]}}
    await services.flows.save(user.id, "volunteer", "teams", data)
    got = await services.flows.get(user.id)
    assert got is not None and got.data == data


async def test_get_returns_a_copy(services: Services) -> None:
    user = await person(services, 1001)
    data = {"name": "王芳", "team_ids": [1]}
    saved = await services.flows.save(user.id, "volunteer", "teams", data)
    data["name"] = "changed by the caller"
    saved.data["name"] = "changed through the result of save"

    got = await services.flows.get(user.id)
    assert got is not None
    got.data["name"] = "changed through get"
    got.data["extra"] = True

    again = await services.flows.get(user.id)
    assert again is not None and again.data == {"name": "王芳", "team_ids": [1]}


async def test_clear(services: Services, db: Database) -> None:
    user = await person(services, 1001)
    other = await person(services, 1002)
    await services.flows.save(user.id, "volunteer", "name", {})
    await services.flows.save(other.id, "resident", "street", {})

    assert await services.flows.clear(user.id) is True
    assert await services.flows.get(user.id) is None
    assert await services.flows.clear(user.id) is False
    assert await count(db, FlowState) == 1
    kept = await services.flows.get(other.id)
    assert kept is not None and kept.flow == "resident"

    restarted = await services.flows.save(user.id, "volunteer", "name", {})
    assert restarted.nonce == 1


async def test_no_draft(services: Services) -> None:
    user = await person(services, 1001)
    assert await services.flows.get(user.id) is None
    assert await services.flows.clear(user.id) is False
