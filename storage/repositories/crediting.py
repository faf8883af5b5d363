"""Many earns at once, for an order's completion (an activity of 200 places): the
volunteers' accounts opened in one statement, the keys already booked read in one, and
the movements from the issuing account booked together
(:func:`storage.repositories.batch_moves.move_many`). A key booked by a concurrent
transaction meanwhile (a unique violation) rolls them back, and the caller books one by
one with :func:`storage.repositories.points.move`.

Amounts are tenths; every volunteer of ``earns`` appears once (one place per order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import AccountKind, MovementKind
from storage.models import PointAccount, PointMovement
from storage.repositories.batch_moves import Leg, move_many
from storage.repositories.upsert import insert_for


@dataclass(frozen=True)
class Earn:
    key: str
    user_id: int
    amount: int  # tenths, > 0
    links: dict[str, Any]  # order_id, claim_id, minutes …


async def volunteer_accounts(session: AsyncSession, user_ids: Sequence[int]) -> dict[int, int]:
    """user id → their account's id, each opened (balance 0) if it was not."""
    if not user_ids:
        return {}
    keys = {f"{AccountKind.VOLUNTEER.value}:{uid}": uid for uid in user_ids}
    stmt = insert_for(session, PointAccount).values(
        [
            {"key": key, "kind": AccountKind.VOLUNTEER.value, "user_id": uid, "balance": 0}
            for key, uid in keys.items()
        ]
    )
    await session.execute(stmt.on_conflict_do_nothing())
    rows = await session.execute(
        select(PointAccount.key, PointAccount.id).where(PointAccount.key.in_(list(keys)))
    )
    return {keys[key]: int(account) for key, account in rows}


async def booked_keys(session: AsyncSession, keys: Sequence[str]) -> set[str]:
    if not keys:
        return set()
    stmt = select(PointMovement.key).where(PointMovement.key.in_(list(keys)))
    return set(await session.scalars(stmt))


async def earn_many(
    session: AsyncSession, issuing: int, earns: Sequence[Earn], at: datetime
) -> dict[str, int] | None:
    """Book ``earns`` not booked yet from ``issuing``: key → the volunteer's balance after;
    None when a concurrent transaction booked one of them meanwhile (nothing booked)."""
    booked = await booked_keys(session, [e.key for e in earns])
    todo = [e for e in earns if e.key not in booked]
    if not todo:
        return {}
    accounts = await volunteer_accounts(session, [e.user_id for e in todo])
    legs = [Leg(e.key, accounts[e.user_id], e.amount, e.links) for e in todo]
    moved = await move_many(
        session, kind=MovementKind.EARN, hub=issuing, legs=legs, hub_pays=True, at=at
    )
    if moved is None:
        return None
    return {key: booked.to_balance for key, booked in moved.items()}
