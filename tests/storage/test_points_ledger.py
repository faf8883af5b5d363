"""The ledger's primitives on both back ends: a movement is booked once per key, never
takes a balance below zero (also with concurrent spenders), keeps both balances beside
it, and cannot be changed or deleted afterwards."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError

from storage.database import Database
from storage.enums import AccountKind, MovementKind
from storage.models import PointAccount, PointMovement, User
from storage.repositories import points as points_repo
from storage.repositories.points import Booked, Refused

AT = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


async def _users(db: Database, n: int) -> list[int]:
    async with db.transaction() as session:
        users = [User(telegram_id=1000 + i, first_name=f"v{i}") for i in range(n)]
        session.add_all(users)
        await session.flush()
        return [u.id for u in users]


async def _accounts(db: Database, user_ids: list[int]) -> tuple[int, list[int]]:
    async with db.transaction() as session:
        issuing = await points_repo.account_id(session, AccountKind.ISSUING)
        mine = [await points_repo.account_id(session, AccountKind.VOLUNTEER, u) for u in user_ids]
    return issuing, mine


async def _earn(db: Database, issuing: int, to: int, amount: int, key: str) -> Booked | Refused:
    async with db.transaction() as session:
        return await points_repo.move(
            session,
            key=key,
            kind=MovementKind.EARN,
            amount=amount,
            from_account=issuing,
            to_account=to,
            at=AT,
        )


async def test_an_account_is_opened_once(db: Database) -> None:
    (user,) = await _users(db, 1)
    first = await _accounts(db, [user])
    again = await _accounts(db, [user])
    assert first == again
    async with db.read() as session:
        assert await session.scalar(select(func.count()).select_from(PointAccount)) == 2


async def test_a_movement_is_booked_once_per_key_with_both_balances(db: Database) -> None:
    (user,) = await _users(db, 1)
    issuing, (mine,) = await _accounts(db, [user])
    booked = await _earn(db, issuing, mine, 45, "earn:1")
    assert isinstance(booked, Booked)
    assert (booked.from_balance, booked.to_balance) == (-45, 45)
    assert await _earn(db, issuing, mine, 45, "earn:1") is Refused.ALREADY_BOOKED
    async with db.read() as session:
        assert await points_repo.balance(session, mine) == 45
        assert await session.scalar(select(func.sum(PointAccount.balance))) == 0
        assert await session.scalar(select(func.count()).select_from(PointMovement)) == 1


async def test_a_spend_beyond_the_balance_is_refused_and_leaves_nothing(db: Database) -> None:
    a, b = await _users(db, 2)
    issuing, (mine, theirs) = await _accounts(db, [a, b])
    await _earn(db, issuing, mine, 30, "earn:1")
    async with db.transaction() as session:
        refused = await points_repo.move(
            session,
            key="transfer:1",
            kind=MovementKind.TRANSFER,
            amount=31,
            from_account=mine,
            to_account=theirs,
            at=AT,
        )
    assert refused is Refused.INSUFFICIENT
    async with db.read() as session:
        assert await points_repo.balance(session, mine) == 30
        assert await points_repo.balance(session, theirs) == 0
        assert await points_repo.booked(session, "transfer:1") is None


async def test_concurrent_spenders_never_overdraw_an_account(db: Database) -> None:
    a, b = await _users(db, 2)
    issuing, (mine, theirs) = await _accounts(db, [a, b])
    await _earn(db, issuing, mine, 100, "earn:1")

    async def spend(i: int) -> Booked | Refused:
        async with db.transaction() as session:
            return await points_repo.move(
                session,
                key=f"transfer:{i}",
                kind=MovementKind.TRANSFER,
                amount=30,
                from_account=mine,
                to_account=theirs,
                at=AT,
            )

    results = await asyncio.gather(*(spend(i) for i in range(12)))
    assert sum(isinstance(r, Booked) for r in results) == 3
    assert results.count(Refused.INSUFFICIENT) == 9
    async with db.read() as session:
        assert await points_repo.balance(session, mine) == 10
        assert await points_repo.balance(session, theirs) == 90
        assert await session.scalar(select(func.sum(PointAccount.balance))) == 0


async def test_concurrent_bookings_of_one_key_book_it_once(db: Database) -> None:
    (user,) = await _users(db, 1)
    issuing, (mine,) = await _accounts(db, [user])
    results = await asyncio.gather(*(_earn(db, issuing, mine, 15, "earn:7") for _ in range(8)))
    assert sum(isinstance(r, Booked) for r in results) == 1
    async with db.read() as session:
        assert await points_repo.balance(session, mine) == 15


@pytest.mark.parametrize("change", ["update", "delete"])
async def test_a_movement_cannot_be_changed_or_deleted(db: Database, change: str) -> None:
    (user,) = await _users(db, 1)
    issuing, (mine,) = await _accounts(db, [user])
    await _earn(db, issuing, mine, 30, "earn:1")
    statement = (
        update(PointMovement).values(amount=300) if change == "update" else delete(PointMovement)
    )
    with pytest.raises(DBAPIError, match="append-only"):
        async with db.transaction() as session:
            await session.execute(statement)
    async with db.read() as session:
        assert await session.scalar(select(PointMovement.amount)) == 30
