"""Points and rewards for tests (and the bench): earns booked straight with the ledger's
``move``, a reward in a unit's catalogue, and what must hold of the accounts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.container import Services
from bot.services.kernel.dto import UserDTO
from bot.services.points.rewards import RewardDTO, RewardForm
from storage.database import Database
from storage.enums import AccountKind, MovementKind
from storage.models import PointAccount, PointMovement, Redemption, Reward
from storage.repositories import points as points_repo

AT = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


async def credit(db: Database, user_ids: Sequence[int], amount: int, tag: str = "t") -> None:
    """``amount`` tenths earned by each of the volunteers (an ``earn`` from the bank's
    issuing account, key ``test-earn:<tag>:<user id>``), in one transaction."""
    async with db.transaction() as session:
        issuing = await points_repo.account_id(session, AccountKind.ISSUING)
        for user_id in user_ids:
            account = await points_repo.account_id(session, AccountKind.VOLUNTEER, user_id)
            booked = await points_repo.move(
                session,
                key=f"test-earn:{tag}:{user_id}",
                kind=MovementKind.EARN,
                amount=amount,
                from_account=issuing,
                to_account=account,
                at=AT,
            )
            assert isinstance(booked, points_repo.Booked), booked


async def balance(db: Database, user_id: int) -> int:
    async with db.read() as session:
        key = points_repo.account_key(AccountKind.VOLUNTEER, user_id)
        value = await session.scalar(select(PointAccount.balance).where(PointAccount.key == key))
        return int(value or 0)


async def add_reward(
    services: Services, coordinator: UserDTO, *, cost: int = 50, stock: int = 3, **form: object
) -> RewardDTO:
    values: dict[str, object] = {"name": "环保购物袋", "description": "社区服务站领取"}
    values.update(form)
    return await services.rewards.add(
        coordinator,
        RewardForm(cost=cost, stock=stock, **values),  # type: ignore[arg-type]
    )


async def stock(db: Database, reward_id: int) -> int:
    async with db.read() as session:
        reward = await session.get(Reward, reward_id)
        assert reward is not None
        return reward.stock


async def check_ledger(db: Database) -> None:
    """Every balance is the sum of its movements, none but the bank's below zero, all
    accounts sum to zero, and each redemption's redeem (and refund) is booked once."""
    async with db.read() as session:
        accounts = list(await session.scalars(select(PointAccount)))
        movements = list(await session.scalars(select(PointMovement)))
        redemptions = list(await session.scalars(select(Redemption)))
        rewards = list(await session.scalars(select(Reward)))
        assert await session.scalar(select(func.coalesce(func.sum(PointAccount.balance), 0))) == 0
    sums = {a.id: 0 for a in accounts}
    for m in movements:
        sums[m.from_account_id] -= m.amount
        sums[m.to_account_id] += m.amount
    for account in accounts:
        assert account.balance == sums[account.id], account.key
        assert account.balance >= 0 or account.kind == AccountKind.ISSUING.value
    keys = {m.key for m in movements}
    for r in redemptions:
        assert f"redeem:{r.id}" in keys
        assert (f"refund:{r.id}" in keys) == (r.state == "cancelled")
    assert all(w.stock >= 0 for w in rewards)
