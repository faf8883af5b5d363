"""Helpers for the points bank's tests: an order served and completed, balances and the
ledger's invariants."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bot.container import Services
from bot.services.kernel.dto import OrderDTO, UserDTO
from storage.database import Database
from storage.enums import AccountKind, MovementKind
from storage.models import PointAccount, PointMovement
from tests.support.orders import activity, boss, volunteers
from tests.support.services import START, FakeClock, Org


async def served(
    db: Database,
    services: Services,
    org: Org,
    clock: FakeClock,
    n: int = 2,
    *,
    hours: float = 2,
    **publication: Any,
) -> tuple[UserDTO, OrderDTO, list[UserDTO], list[int]]:
    """A coordinator's activity of ``n`` places, each grabbed, checked in at the start and
    out at the end, not completed yet: (the coordinator, the order, volunteers, claims)."""
    coordinator = await boss(services)
    starts = START + timedelta(days=2)
    order = await activity(
        services, org, n, starts_at=starts, hours=hours, actor=coordinator, **publication
    )
    people = await volunteers(db, org, n)
    claims = [(await services.claims.grab(v, order.id)).id for v in people]
    clock.advance(days=2)
    for v, claim_id in zip(people, claims, strict=True):
        await services.attendance.check_in(v, claim_id)
    clock.advance(hours=hours)
    for v, claim_id in zip(people, claims, strict=True):
        await services.attendance.check_out(v, claim_id)
    return coordinator, order, people, claims


async def completed(
    db: Database, services: Services, org: Org, clock: FakeClock, n: int = 2, **kw: Any
) -> tuple[UserDTO, OrderDTO, list[UserDTO], list[int]]:
    """:func:`served`, then completed by its coordinator."""
    coordinator, order, people, claims = await served(db, services, org, clock, n, **kw)
    await services.attendance.confirm_completion(coordinator, order.id)
    return coordinator, order, people, claims


async def balance(db: Database, user_id: int) -> int:
    async with db.read() as session:
        value = await session.scalar(
            select(PointAccount.balance).where(
                PointAccount.key == f"{AccountKind.VOLUNTEER.value}:{user_id}"
            )
        )
    return int(value or 0)


async def movements(db: Database, kind: MovementKind | None = None) -> list[PointMovement]:
    async with db.read() as session:
        stmt = select(PointMovement).order_by(PointMovement.id)
        if kind is not None:
            stmt = stmt.where(PointMovement.kind == kind.value)
        return list(await session.scalars(stmt))


async def check_ledger(db: Database) -> None:
    """What must hold for the ledger whatever happened: every balance is the sum of its
    movements, none but the issuing account's is below zero, the accounts sum to zero,
    and each place earned at most once."""
    async with db.read() as session:
        accounts = list(await session.scalars(select(PointAccount)))
        moves = list(await session.scalars(select(PointMovement)))
        earns = await session.execute(
            select(PointMovement.claim_id, func.count())
            .where(PointMovement.kind == MovementKind.EARN.value)
            .group_by(PointMovement.claim_id)
        )
        assert all(n == 1 for _, n in earns)
    sums = {a.id: 0 for a in accounts}
    for m in moves:
        sums[m.from_account_id] -= m.amount
        sums[m.to_account_id] += m.amount
    for a in accounts:
        assert a.balance == sums[a.id], (a.key, a.balance, sums[a.id])
        assert a.balance >= 0 or a.kind == AccountKind.ISSUING.value, a.key
    assert sum(a.balance for a in accounts) == 0
