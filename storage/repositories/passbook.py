"""What the passbook (存折) and the ledger's use cases read: an account's movements with
what they were for, what one place has brought its volunteer so far, points and hours in
a period, and the places of an order that served."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.enums import AccountKind, ClaimState, MovementKind, OrderState
from storage.models import Claim, Order, PointAccount, PointMovement, Redemption, Reward


@dataclass(frozen=True)
class Line:
    """A movement as an account's passbook reads it."""

    movement: PointMovement
    incoming: bool  # the points came to this account
    balance: int  # this account's balance just after
    other_kind: str  # the other account's kind
    other_user_id: int | None
    other_unit_id: int | None
    order_number: str | None
    order_category: str | None
    reward_name: str | None


async def lines(
    session: AsyncSession, account: int, offset: int, limit: int
) -> tuple[Sequence[Line], int]:
    """The account's movements, newest first, and how many there are."""
    mine = or_(PointMovement.from_account_id == account, PointMovement.to_account_id == account)
    total = await session.scalar(select(func.count()).select_from(PointMovement).where(mine))
    other = aliased(PointAccount)
    other_id = case(
        (PointMovement.to_account_id == account, PointMovement.from_account_id),
        else_=PointMovement.to_account_id,
    )
    stmt = (
        select(
            PointMovement,
            other.kind,
            other.user_id,
            other.unit_id,
            Order.number,
            Order.category,
            Reward.name,
        )
        .join(other, other.id == other_id)
        .outerjoin(Order, Order.id == PointMovement.order_id)
        .outerjoin(Redemption, Redemption.id == PointMovement.redemption_id)
        .outerjoin(Reward, Reward.id == Redemption.reward_id)
        .where(mine)
        .order_by(PointMovement.id.desc())
        .offset(offset)
        .limit(limit)
    )
    rows = []
    for movement, kind, user_id, unit_id, number, category, reward in await session.execute(stmt):
        incoming = movement.to_account_id == account
        rows.append(
            Line(
                movement,
                incoming,
                movement.to_balance if incoming else movement.from_balance,
                kind,
                user_id,
                unit_id,
                number,
                category,
                reward,
            )
        )
    return rows, int(total or 0)


def _signed(account: int) -> object:
    return case(
        (PointMovement.to_account_id == account, PointMovement.amount),
        else_=-PointMovement.amount,
    )


async def claim_credit(session: AsyncSession, claim_id: int, account: int) -> int:
    """What one place has brought the account so far: its earn and the adjustments of its
    hours' corrections (a bonus is not for the hours)."""
    stmt = select(func.coalesce(func.sum(_signed(account)), 0)).where(
        PointMovement.claim_id == claim_id,
        PointMovement.kind.in_((MovementKind.EARN.value, MovementKind.ADJUST.value)),
        or_(PointMovement.from_account_id == account, PointMovement.to_account_id == account),
    )
    return int(await session.scalar(stmt) or 0)


EARNING = (MovementKind.EARN.value, MovementKind.BONUS.value, MovementKind.ADJUST.value)


async def earned_since(session: AsyncSession, account: int, since: datetime | None) -> int:
    """The points the account earned (earns, bonuses, adjustments, net) since ``since``
    (None: ever); spending and transfers are not earning."""
    stmt = select(func.coalesce(func.sum(_signed(account)), 0)).where(
        PointMovement.kind.in_(EARNING),
        or_(PointMovement.from_account_id == account, PointMovement.to_account_id == account),
    )
    if since is not None:
        stmt = stmt.where(PointMovement.created_at >= since)
    return int(await session.scalar(stmt) or 0)


async def minutes_since(session: AsyncSession, volunteer_id: int, since: datetime | None) -> int:
    """The verified minutes of the volunteer's places on orders completed since ``since``."""
    stmt = (
        select(func.coalesce(func.sum(Claim.minutes), 0))
        .join(Order, Order.id == Claim.order_id)
        .where(
            Claim.volunteer_id == volunteer_id,
            Claim.state == ClaimState.DONE.value,
            Order.state == OrderState.COMPLETED.value,
        )
    )
    if since is not None:
        stmt = stmt.where(Order.completed_at >= since)
    return int(await session.scalar(stmt) or 0)


async def minutes_of(session: AsyncSession, user_ids: Sequence[int]) -> dict[int, int]:
    """user id → the verified minutes of all their places on completed orders (as
    :func:`minutes_since` with no start), for those who have any."""
    if not user_ids:
        return {}
    stmt = (
        select(Claim.volunteer_id, func.sum(Claim.minutes))
        .join(Order, Order.id == Claim.order_id)
        .where(
            Claim.volunteer_id.in_(set(user_ids)),
            Claim.state == ClaimState.DONE.value,
            Order.state == OrderState.COMPLETED.value,
        )
        .group_by(Claim.volunteer_id)
    )
    return {int(u): int(m or 0) for u, m in await session.execute(stmt)}


async def served_places(session: AsyncSession, order_id: int) -> list[tuple[int, int, int]]:
    """(claim id, volunteer id, minutes) of each place of the order that served."""
    stmt = (
        select(Claim.id, Claim.volunteer_id, Claim.minutes)
        .where(and_(Claim.order_id == order_id, Claim.state == ClaimState.DONE.value))
        .order_by(Claim.id)
    )
    return [(c, v, int(m or 0)) for c, v, m in await session.execute(stmt)]


async def volunteer_accounts(session: AsyncSession, user_ids: Sequence[int]) -> dict[int, int]:
    """user id → their passbook's account id, for those who have one."""
    if not user_ids:
        return {}
    stmt = select(PointAccount.user_id, PointAccount.id).where(
        PointAccount.user_id.in_(user_ids), PointAccount.kind == AccountKind.VOLUNTEER.value
    )
    return {int(u): int(a) for u, a in await session.execute(stmt) if u is not None}
