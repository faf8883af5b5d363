"""FlowService: the drafts of chat flows, kept in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from bot.container import Services
from storage.database import Database
from storage.models import FlowState
from storage.repositories import flows as flows_repo
from storage.repositories.flows import NONCE_MAX
from tests.support.services import count, person


async def test_save_creates_then_changes_the_nonce(services: Services, db: Database) -> None:
    user = await person(services, 1001)
    first = await services.flows.save(user.id, "volunteer", "name", {})
    assert (first.flow, first.step, first.data) == ("volunteer", "name", {})
    assert 1 <= first.nonce <= NONCE_MAX

    second = await services.flows.save(user.id, "volunteer", "phone", {"name": "王芳"})
    third = await services.flows.save(user.id, "volunteer", "phone", {"name": "王芳"})
    assert (second.step, second.data) == ("phone", {"name": "王芳"})
    assert second.nonce != first.nonce
    assert third.nonce != second.nonce  # the same step saved again: earlier buttons stale
    assert await count(db, FlowState) == 1

    got = await services.flows.get(user.id)
    assert got == third


async def test_another_flow_replaces_the_draft(services: Services) -> None:
    user = await person(services, 1001)
    await services.flows.save(user.id, "volunteer", "name", {"name": "x"})
    other = await services.flows.save(user.id, "resident", "street", {})
    assert (other.flow, other.step, other.data) == ("resident", "street", {})


async def test_the_nonce_is_never_the_previous_one(
    services: Services, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await person(services, 1001)
    await services.flows.save(user.id, "volunteer", "name", {})
    async with db.transaction() as session:
        await session.execute(update(FlowState).where(FlowState.user_id == user.id).values(nonce=7))
    draws = iter([6, 6, 41])  # randbelow's values: the nonces 7, 7, then 42
    monkeypatch.setattr(flows_repo.secrets, "randbelow", lambda _n: next(draws))
    again = await services.flows.save(user.id, "volunteer", "phone", {})
    assert again.nonce == 42


async def test_a_new_flow_after_an_ended_one_has_a_new_nonce(services: Services) -> None:
    """Buttons of a flow ended with /cancel (its row deleted) must not fit the next flow:
    a counter restarting at 1 made an old category button drive a new request."""
    user = await person(services, 1001)
    seen = set()
    for _ in range(20):
        state = await services.flows.save(user.id, "request", "category", {})
        assert state.nonce not in seen
        seen.add(state.nonce)
        await services.flows.clear(user.id)


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
    assert restarted.flow == "volunteer"


async def test_no_draft(services: Services) -> None:
    user = await person(services, 1001)
    assert await services.flows.get(user.id) is None
    assert await services.flows.clear(user.id) is False
