"""A flow's draft: typed, ended in the same transaction as the service call that
consumes it, and dropped kindly when a stored one no longer fits its model."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.i18n import get_translator
from bot.services.requests.drafts import RequestDraft
from storage.models import Order
from tests.handlers.conftest import Harness, Person
from tests.support.services import COMMUNITY, START, count

ZH = get_translator("zh_CN")


async def resident_at_confirm(harness: Harness) -> tuple[Person, int, int]:
    """A resident at the last question of /request, everything answered: them, their
    user id and the nonce of the summary's buttons."""
    resident = harness.person(1001, "王芳", "zh-hans")
    await resident.send("/start")
    user = await harness.services.users.get(1001)
    community = harness.org[COMMUNITY].id
    await harness.services.users.set_home_community(user.id, community)
    starts = START + timedelta(days=2)
    draft = RequestDraft(
        community_id=community,
        category="elderly_visit",
        description="陪老人聊天，帮忙买菜",
        day=starts.date(),
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        address="龙湖东岸 3 栋 2 单元 401",
        phone="138 0013 8000",
        helpers=2,
    )
    state = await harness.services.flows.save(user.id, "request", "confirm", draft.dump())
    return resident, user.id, state.nonce


@pytest.mark.backends("sqlite", "postgresql")
async def test_the_request_and_the_end_of_its_draft_are_one_commit(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The draft's clearing apart from the submission (a crash between the two) left a
    draft that could be submitted again: now the intake's transaction ends it, and a
    separate clear is never needed."""
    resident, user_id, nonce = await resident_at_confirm(harness)
    [view] = resident.chat_view.messages[-1:]

    async def crash(_user_id: int) -> bool:
        raise RuntimeError("the process died after the submission")

    monkeypatch.setattr(harness.services.flows, "clear", crash)
    replies = await resident.process(resident.press_update_data(view, f"f:{nonce}:confirm:"))

    assert await count(harness.db, Order) == 1
    assert await harness.services.flows.get(user_id) is None
    async with harness.db.read() as session:
        order = await session.scalar(select(Order))
    assert order is not None
    assert [m.html for m in replies] == [ZH("request.created", number=order.number)]

    # the same summary's button again: stale, and no second order
    await resident.process(resident.press_update_data(view, f"f:{nonce}:confirm:"))
    assert await count(harness.db, Order) == 1


@pytest.mark.backends("sqlite", "postgresql")
async def test_a_refused_submission_keeps_the_draft(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service's transaction rolled back: the draft is still there to answer again."""
    resident, user_id, nonce = await resident_at_confirm(harness)
    [view] = resident.chat_view.messages[-1:]
    harness.clock.advance(days=3)  # the window has passed by the time of the press

    await resident.process(resident.press_update_data(view, f"f:{nonce}:confirm:"))

    assert await count(harness.db, Order) == 0
    state = await harness.services.flows.get(user_id)
    assert state is not None and state.flow == "request" and state.step == "day"
    assert state.data["description"] == "陪老人聊天，帮忙买菜"


@pytest.mark.backends("sqlite", "postgresql")
async def test_a_stored_draft_that_no_longer_fits_is_dropped_kindly(harness: Harness) -> None:
    """Saved by another version: values its model refuses. The user is answered as when
    there is no flow (they start again), not with a traceback."""
    resident = harness.person(1001, "王芳", "zh-hans")
    await resident.send("/start")
    user = await harness.services.users.get(1001)
    await harness.services.flows.save(
        user.id, "request", "confirm", {"helpers": "many", "starts_at": "soon"}
    )

    [reply] = await resident.send("好的")

    assert reply.html == ZH("flow.no_flow")
    assert await harness.services.flows.get(user.id) is None
