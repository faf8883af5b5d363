"""Many movements between one account (the hub) and many others, booked together: the
issuing account paying a completed activity's 200 places, or a storm's winners paying
one reward's account.

One savepoint, four statements: the accounts' rows locked in id order — the order
``move`` keeps, so a batch and a single movement cannot deadlock on PostgreSQL —, every
balance changed by one conditional UPDATE (a paying account refused below zero, as in
:func:`storage.repositories.points.move`), the movements inserted in one statement,
and their ids read back. The
balances after each movement follow from the balance each account's update returned
(its row stays locked by that update until the transaction ends, on both back ends).
When a key was booked meanwhile (a unique violation) or an account had too little,
nothing of the batch stays and the caller is told (None).

Amounts are tenths of a point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import AccountKind, MovementKind
from storage.models import PointAccount, PointMovement
from storage.repositories.points import Booked

# a movement's columns a leg may leave out
_LINKS = ("order_id", "claim_id", "redemption_id", "audit_id", "actor_id", "minutes", "reason")


@dataclass(frozen=True)
class Leg:
    key: str
    account: int  # the account on the other side from the hub
    amount: int  # tenths, > 0
    links: dict[str, Any]  # order_id, claim_id, redemption_id, actor_id, minutes …


async def _change(session: AsyncSession, deltas: dict[int, int]) -> dict[int, int] | None:
    """Each account's balance moved by its delta, in one statement after the rows are
    locked in id order (PostgreSQL; SQLite has one writer): account → its balance
    after, or None when a payment would take one below zero (only the issuing account
    may go there)."""
    ids = sorted(deltas)
    await session.execute(
        select(PointAccount.id)
        .where(PointAccount.id.in_(ids))
        .order_by(PointAccount.id)
        .with_for_update()
    )
    delta = case(deltas, value=PointAccount.id)
    stmt = (
        update(PointAccount)
        .where(PointAccount.id.in_(ids))
        .where(
            (PointAccount.balance + delta >= 0) | (PointAccount.kind == AccountKind.ISSUING.value)
        )
        .values(balance=PointAccount.balance + delta)
        .returning(PointAccount.id, PointAccount.balance)
    )
    after = {int(account): int(balance) for account, balance in await session.execute(stmt)}
    return after if len(after) == len(ids) else None


async def move_many(
    session: AsyncSession,
    *,
    kind: MovementKind,
    hub: int,
    legs: Sequence[Leg],
    hub_pays: bool,
    at: datetime,
) -> dict[str, Booked] | None:
    """Book each leg between ``hub`` and its account — from the hub when ``hub_pays``,
    to it otherwise — in the order given: key → the movement booked; None when one of
    the keys was booked already or a paying account had too little (nothing booked)."""
    if not legs:
        return {}
    if any(leg.amount <= 0 for leg in legs):
        raise ValueError("a movement moves a positive amount")
    if any(leg.account == hub for leg in legs):
        raise ValueError("a movement is between two accounts")
    sign = -1 if hub_pays else 1  # what each leg does to the hub
    deltas: dict[int, int] = {hub: 0}
    for leg in legs:
        deltas[hub] += sign * leg.amount
        deltas[leg.account] = deltas.get(leg.account, 0) - sign * leg.amount
    savepoint = await session.begin_nested()
    try:
        # each account's balance before the batch, from the one after it
        after = await _change(session, deltas)
        if after is None:
            await savepoint.rollback()
            return None
        running = {account: balance - deltas[account] for account, balance in after.items()}
        rows, balances = [], []
        for leg in legs:
            running[hub] += sign * leg.amount
            running[leg.account] -= sign * leg.amount
            payer, payee = (hub, leg.account) if hub_pays else (leg.account, hub)
            balances.append((running[payer], running[payee]))
            rows.append(
                {
                    "key": leg.key,
                    "kind": kind.value,
                    "amount": leg.amount,
                    "from_account_id": payer,
                    "to_account_id": payee,
                    "from_balance": running[payer],
                    "to_balance": running[payee],
                    "created_at": at,
                    **dict.fromkeys(_LINKS),
                    **leg.links,
                }
            )
        await session.execute(insert(PointMovement), rows)
    except IntegrityError:
        await savepoint.rollback()
        return None
    await savepoint.commit()
    found = await session.execute(
        select(PointMovement.key, PointMovement.id).where(
            PointMovement.key.in_([leg.key for leg in legs])
        )
    )
    ids = {key: int(movement) for key, movement in found}
    return {
        leg.key: Booked(ids[leg.key], from_balance, to_balance)
        for leg, (from_balance, to_balance) in zip(legs, balances, strict=True)
    }
