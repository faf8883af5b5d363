"""The 公益银行 ledger's two primitives: an account (found or opened) and a movement
between two accounts (booked once per key, never taking a balance below zero).

Amounts are tenths of a point. Both balances change in the statement that checks them
(``UPDATE … WHERE balance >= :amount RETURNING balance``), so concurrent spenders of one
account cannot overdraw it on either back end; the rows are updated in id order, so two
opposite transfers cannot deadlock on PostgreSQL. A movement runs in a savepoint: when
its key was booked already (a second confirmation, a job run twice, a crash and a
retry), or the account has too little, nothing of it stays and the caller is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import AccountKind, MovementKind
from storage.models import PointAccount, PointMovement
from storage.repositories.upsert import insert_for

ISSUING_KEY = "issuing"


def account_key(kind: AccountKind, owner_id: int | None = None) -> str:
    """The account's name: "issuing", "volunteer:<user id>", "fund:<unit id>",
    "rewards:<unit id>"."""
    if kind is AccountKind.ISSUING:
        return ISSUING_KEY
    if owner_id is None:
        raise ValueError(f"a {kind} account belongs to someone")
    return f"{kind.value}:{owner_id}"


async def account_id(session: AsyncSession, kind: AccountKind, owner_id: int | None = None) -> int:
    """The id of the account, opened (balance 0) the first time it is named."""
    key = account_key(kind, owner_id)
    found = await session.scalar(select(PointAccount.id).where(PointAccount.key == key))
    if found is not None:
        return found
    values: dict[str, Any] = {"key": key, "kind": kind.value, "balance": 0}
    if kind is AccountKind.VOLUNTEER:
        values["user_id"] = owner_id
    elif kind is not AccountKind.ISSUING:
        values["unit_id"] = owner_id
    stmt = insert_for(session, PointAccount).values(**values).on_conflict_do_nothing()
    await session.execute(stmt)
    found = await session.scalar(select(PointAccount.id).where(PointAccount.key == key))
    assert found is not None
    return found


async def balance(session: AsyncSession, account: int) -> int:
    value = await session.scalar(select(PointAccount.balance).where(PointAccount.id == account))
    return int(value or 0)


class Refused(Enum):
    """Why a movement was not booked."""

    ALREADY_BOOKED = "already_booked"  # its key was booked before: nothing to do
    INSUFFICIENT = "insufficient"  # the paying account has less than the amount


@dataclass(frozen=True)
class Booked:
    movement_id: int
    from_balance: int
    to_balance: int


async def move(
    session: AsyncSession,
    *,
    key: str,
    kind: MovementKind,
    amount: int,
    from_account: int,
    to_account: int,
    at: datetime,
    **links: Any,
) -> Booked | Refused:
    """Book ``amount`` tenths from one account to the other, once per ``key``.

    ``links`` are the movement's other columns (order_id, claim_id, redemption_id,
    audit_id, actor_id, minutes, reason). The issuing account may go below zero; any
    other account is refused (:attr:`Refused.INSUFFICIENT`) when it has too little.
    """
    if amount <= 0:
        raise ValueError("a movement moves a positive amount")
    if await session.scalar(select(PointMovement.id).where(PointMovement.key == key)):
        return Refused.ALREADY_BOOKED
    savepoint = await session.begin_nested()
    try:
        balances: dict[int, int] = {}
        for account in sorted((from_account, to_account)):
            paying = account == from_account
            stmt = update(PointAccount).where(PointAccount.id == account)
            if paying:
                stmt = stmt.where(
                    (PointAccount.balance >= amount)
                    | (PointAccount.kind == AccountKind.ISSUING.value)
                )
                stmt = stmt.values(balance=PointAccount.balance - amount)
            else:
                stmt = stmt.values(balance=PointAccount.balance + amount)
            after = await session.scalar(stmt.returning(PointAccount.balance))
            if after is None:
                await savepoint.rollback()
                return Refused.INSUFFICIENT
            balances[account] = int(after)
        movement = PointMovement(
            key=key,
            kind=kind.value,
            amount=amount,
            from_account_id=from_account,
            to_account_id=to_account,
            from_balance=balances[from_account],
            to_balance=balances[to_account],
            created_at=at,
            **links,
        )
        session.add(movement)
        await session.flush()
    except IntegrityError:
        # booked by a concurrent transaction between the check and the insert
        await savepoint.rollback()
        return Refused.ALREADY_BOOKED
    await savepoint.commit()
    return Booked(movement.id, balances[from_account], balances[to_account])


async def booked(session: AsyncSession, key: str) -> PointMovement | None:
    return await session.scalar(select(PointMovement).where(PointMovement.key == key))
