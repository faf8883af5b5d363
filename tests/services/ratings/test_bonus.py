"""A five-star rating's bonus (``[points] bonus_five_stars``) arrives through the hook the
composition root wires (``Services.wire``: ratings.on_rated → points.on_rated), in the
rating's transaction, on SQLite and PostgreSQL: once per place, also when the same
star is pressed twice (one after the other, or both at once), never for fewer stars,
and not at all when the bonus is 0 (the default)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot import app
from bot.config import load_config
from bot.container import Services
from bot.i18n import get_translator
from bot.messages.common import points_text
from bot.services.ratings.common import AlreadyRated
from storage.database import Database
from storage.enums import MovementKind
from storage.models import OutboxMessage
from tests.services.ratings.test_ratings import completed, prompt_row
from tests.support.points import balance, check_ledger, movements
from tests.support.services import FakeClock, Org

EARNED = 60  # tenths: 2 hours at the default 3 points an hour


def wired(db: Database, clock: FakeClock, bonus: float | None) -> Services:
    """The services as the bot builds them (``build_services`` calls ``wire``), with
    ``[points] bonus_five_stars = bonus`` (None: not in the configuration)."""
    points = {} if bonus is None else {"points": {"bonus_five_stars": bonus}}
    return app.build_services(load_config(environ={}, overrides=points), db, clock)


async def bonus_notices(db: Database) -> list[OutboxMessage]:
    async with db.read() as session:
        found = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.dedup_key.startswith("points.bonus:"))
            .order_by(OutboxMessage.id)
        )
        return list(found)


async def test_five_stars_bring_the_bonus_once_through_the_wired_hook(
    db: Database, org: Org, clock: FakeClock
) -> None:
    services = wired(db, clock, 1.5)
    resident, order, (v1, v2, v3), (c1, c2, c3) = await completed(db, services, org, clock, 3)
    assert [await balance(db, v.id) for v in (v1, v2, v3)] == [EARNED] * 3
    prompt = await prompt_row(db, order.id)

    await services.ratings.rate(resident, prompt.id, c1, 5)
    with pytest.raises(AlreadyRated):  # the same star pressed again
        await services.ratings.rate(resident, prompt.id, c1, 5)
    # a double tap: both presses at once, one of them rates
    both = await asyncio.gather(
        services.ratings.rate(resident, prompt.id, c2, 5),
        services.ratings.rate(resident, prompt.id, c2, 5),
        return_exceptions=True,
    )
    assert sorted(type(b).__name__ for b in both) == ["AlreadyRated", "PromptView"]
    await services.ratings.rate(resident, prompt.id, c3, 4)  # four stars: no bonus

    assert [await balance(db, v.id) for v in (v1, v2, v3)] == [EARNED + 15, EARNED + 15, EARNED]
    bonuses = await movements(db, MovementKind.BONUS)
    assert sorted((m.key, m.amount) for m in bonuses) == sorted(
        [(f"bonus:five:{c1}", 15), (f"bonus:five:{c2}", 15)]
    )
    # each volunteer told once, with the bonus and their balance
    notices = await bonus_notices(db)
    assert sorted(n.dedup_key for n in notices) == sorted(
        [f"points.bonus:{c1}", f"points.bonus:{c2}"]
    )
    t = get_translator("zh_CN")
    told = {n.chat_id: n.payload["text"] for n in notices}
    assert told[v1.telegram_id] == t(
        "points.told_bonus",
        number=order.number,
        points=points_text(15, signed=True),
        balance=points_text(EARNED + 15),
    )
    assert v3.telegram_id not in told
    await check_ledger(db)


@pytest.mark.parametrize("bonus", [0, None], ids=["zero", "default"])
async def test_no_bonus_when_it_is_off(
    db: Database, org: Org, clock: FakeClock, bonus: float | None
) -> None:
    services = wired(db, clock, bonus)
    resident, order, (v1,), (c1,) = await completed(db, services, org, clock, 1)
    prompt = await prompt_row(db, order.id)
    view = await services.ratings.rate(resident, prompt.id, c1, 5)
    assert [p.stars for p in view.places] == [5]
    assert await balance(db, v1.id) == EARNED
    assert await movements(db, MovementKind.BONUS) == []
    assert await bonus_notices(db) == []
    await check_ledger(db)
