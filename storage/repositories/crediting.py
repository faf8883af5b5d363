"""Many earns at once, for an order's completion (an activity of 200 places): the
volunteers' accounts opened in one statement, the keys already booked read in one, and
the movements from the issuing account booked in one savepoint — each volunteer's
balance raised (the row's own update, returning the balance after), the issuing
account lowered once by the total, the movements inserted together. The issuing
balance after each movement follows from the one after all of them (the row is locked
by that update until the transaction ends, on both back ends). A key booked by a
concurrent transaction meanwhile (a unique violation) rolls the savepoint back, and the
caller books one by one with :func:`storage.repositories.points.move`.

Amounts are tenths; every volunteer of ``earns`` appears once (one place per order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import AccountKind, MovementKind
from storage.models import PointAccount, PointMovement
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
    savepoint = await session.begin_nested()
    try:
        after: dict[str, int] = {}
        for e in todo:
            stmt = (
                update(PointAccount)
                .where(PointAccount.id == accounts[e.user_id])
                .values(balance=PointAccount.balance + e.amount)
                .returning(PointAccount.balance)
            )
            after[e.key] = int((await session.execute(stmt)).scalar_one())
        total = sum(e.amount for e in todo)
        stmt = (
            update(PointAccount)
            .where(PointAccount.id == issuing)
            .values(balance=PointAccount.balance - total)
            .returning(PointAccount.balance)
        )
        issuing_balance = int((await session.execute(stmt)).scalar_one()) + total
        rows = []
        for e in todo:
            issuing_balance -= e.amount
            rows.append(
                {
                    "key": e.key,
                    "kind": MovementKind.EARN.value,
                    "amount": e.amount,
                    "from_account_id": issuing,
                    "to_account_id": accounts[e.user_id],
                    "from_balance": issuing_balance,
                    "to_balance": after[e.key],
                    "created_at": at,
                    **{"order_id": None, "claim_id": None, "minutes": None, **e.links},
                }
            )
        await session.execute(insert(PointMovement), rows)
    except IntegrityError:
        await savepoint.rollback()
        return None
    await savepoint.commit()
    return after
