"""The rewards catalogue (公益兑换) and its redemptions.

Redemptions take the reward's stock with one conditional statement
(``UPDATE rewards SET stock = stock - :n WHERE id = :id AND stock >= :n AND active AND
within its dates RETURNING stock``, ``n`` the redemptions decided together), so the
stock never goes below zero however many redeem at once (the CHECK constraint would
refuse it even if this were wrong); a redemption is decided (handed over, cancelled)
with a conditional update on its state, so a second decision changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import RedemptionState
from storage.models import OrgUnit, PointAccount, Redemption, Reward, User, VolunteerProfile

PENDING = RedemptionState.PENDING.value


def _offered(now: datetime) -> list[Any]:
    """A reward that may be redeemed at ``now``: not withdrawn, within its dates."""
    return [
        Reward.active.is_(True),
        or_(Reward.active_from.is_(None), Reward.active_from <= now),
        or_(Reward.active_to.is_(None), Reward.active_to > now),
    ]


async def add(session: AsyncSession, **values: Any) -> Reward:
    reward = Reward(**values)
    session.add(reward)
    await session.flush()
    return reward


REWARD_ID_MAX = 2**31 - 1  # rewards.id is a 32-bit integer


async def get(session: AsyncSession, reward_id: int) -> Reward | None:
    """The reward, or None (also for an id no 32-bit column can hold: pressed data may
    carry any 64-bit id, which PostgreSQL would refuse to compare with it)."""
    if not 0 < reward_id <= REWARD_ID_MAX:
        return None
    return await session.get(Reward, reward_id, populate_existing=True)


async def change(session: AsyncSession, reward_id: int, now: datetime, **values: Any) -> None:
    await session.execute(
        update(Reward).where(Reward.id == reward_id).values(updated_at=now, **values)
    )


async def catalogue(
    session: AsyncSession, unit_ids: Sequence[int], now: datetime, offset: int, limit: int
) -> tuple[list[Reward], int]:
    """What the volunteers of these units (a community and the units above it) may
    redeem now: offered, in stock; cheapest first."""
    where = [Reward.unit_id.in_(unit_ids), Reward.stock > 0, *_offered(now)]
    total = await session.scalar(select(func.count()).select_from(Reward).where(*where))
    rows = await session.scalars(
        select(Reward).where(*where).order_by(Reward.cost, Reward.id).offset(offset).limit(limit)
    )
    return list(rows), int(total or 0)


async def of_unit(
    session: AsyncSession, unit_id: int, offset: int, limit: int
) -> tuple[list[Reward], int]:
    """A unit's catalogue as its coordinators manage it: every reward not withdrawn."""
    where = [Reward.unit_id == unit_id, Reward.active.is_(True)]
    total = await session.scalar(select(func.count()).select_from(Reward).where(*where))
    rows = await session.scalars(
        select(Reward).where(*where).order_by(Reward.id.desc()).offset(offset).limit(limit)
    )
    return list(rows), int(total or 0)


async def take(session: AsyncSession, reward_id: int, count: int, now: datetime) -> int | None:
    """``count`` of the reward's stock (a redemption takes one), if it has as many and
    is offered now: the stock left, or None (nothing changed). A Reward the session
    holds keeps the stock it was read with (the redemption batch counts down from it:
    synchronizing it here made the coordinators' notice say one fewer was left)."""
    stmt = (
        update(Reward)
        .where(Reward.id == reward_id, Reward.stock >= count, *_offered(now))
        .values(stock=Reward.stock - count)
        .returning(Reward.stock)
        .execution_options(synchronize_session=False)
    )
    left = await session.scalar(stmt)
    return None if left is None else int(left)


async def put_back(session: AsyncSession, reward_id: int) -> None:
    """One back into the stock (a cancelled redemption's)."""
    await session.execute(
        update(Reward).where(Reward.id == reward_id).values(stock=Reward.stock + 1)
    )


async def add_redemptions(
    session: AsyncSession, reward_id: int, volunteer_ids: Sequence[int], cost: int, now: datetime
) -> list[int]:
    """Pending redemptions of the reward, one per volunteer id (in one statement); their
    ids, in the same order."""
    rows = await session.execute(
        insert(Redemption).returning(Redemption.id, sort_by_parameter_order=True),
        [
            {
                "reward_id": reward_id,
                "volunteer_id": volunteer_id,
                "cost": cost,
                "state": PENDING,
                "created_at": now,
            }
            for volunteer_id in volunteer_ids
        ],
    )
    return [int(row[0]) for row in rows]


async def redemption(session: AsyncSession, redemption_id: int) -> Redemption | None:
    return await session.get(Redemption, redemption_id, populate_existing=True)


async def decide(
    session: AsyncSession,
    redemption_id: int,
    state: RedemptionState,
    *,
    by: int,
    at: datetime,
    reason: str | None = None,
) -> bool:
    """Set a pending redemption's outcome; False when it was decided already."""
    result = await session.execute(
        update(Redemption)
        .where(Redemption.id == redemption_id, Redemption.state == PENDING)
        .values(state=state.value, decided_by_id=by, decided_at=at, reason=reason)
        .returning(Redemption.id)
    )
    return result.scalar() is not None


async def of_volunteer(
    session: AsyncSession, volunteer_id: int, offset: int, limit: int
) -> tuple[list[tuple[Redemption, Reward]], int]:
    """A volunteer's redemptions, newest first, each with its reward."""
    total = await session.scalar(
        select(func.count()).select_from(Redemption).where(Redemption.volunteer_id == volunteer_id)
    )
    rows = await session.execute(
        select(Redemption, Reward)
        .join(Reward, Reward.id == Redemption.reward_id)
        .where(Redemption.volunteer_id == volunteer_id)
        .order_by(Redemption.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [(r, w) for r, w in rows.all()], int(total or 0)


async def pending_under(
    session: AsyncSession, unit_path: str, offset: int, limit: int
) -> tuple[list[tuple[Redemption, Reward, str]], int]:
    """Pending redemptions of the rewards of the unit and the units below it, oldest
    first, each with its reward and the volunteer's name as coordinators read it (the
    registered one, else Telegram's)."""
    where = [
        Redemption.state == PENDING,
        OrgUnit.path.startswith(unit_path, autoescape=True),
    ]
    total = await session.scalar(
        select(func.count())
        .select_from(Redemption)
        .join(Reward, Reward.id == Redemption.reward_id)
        .join(OrgUnit, OrgUnit.id == Reward.unit_id)
        .where(*where)
    )
    rows = await session.execute(
        select(Redemption, Reward, VolunteerProfile.real_name, User.first_name)
        .join(Reward, Reward.id == Redemption.reward_id)
        .join(OrgUnit, OrgUnit.id == Reward.unit_id)
        .join(User, User.id == Redemption.volunteer_id)
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == Redemption.volunteer_id)
        .where(*where)
        .order_by(Redemption.created_at, Redemption.id)
        .offset(offset)
        .limit(limit)
    )
    found = [(r, w, str(real or first)) for r, w, real, first in rows.all()]
    return found, int(total or 0)


async def balance_of(session: AsyncSession, key: str) -> int:
    """The balance of the account named ``key`` (0 before it is opened), read without
    opening it."""
    value = await session.scalar(select(PointAccount.balance).where(PointAccount.key == key))
    return int(value or 0)


async def accounts(session: AsyncSession, keys: Collection[str]) -> dict[str, tuple[int, int]]:
    """The accounts named ``keys`` that are open: key → (id, balance)."""
    rows = await session.execute(
        select(PointAccount.key, PointAccount.id, PointAccount.balance).where(
            PointAccount.key.in_(list(keys))
        )
    )
    return {key: (int(id_), int(balance)) for key, id_, balance in rows.all()}


async def volunteer_names(session: AsyncSession, user_ids: Sequence[int]) -> dict[int, str]:
    """How coordinators read volunteers' names: the one they registered with (else
    Telegram's)."""
    rows = await session.execute(
        select(User.id, VolunteerProfile.real_name, User.first_name)
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .where(User.id.in_(list(set(user_ids))))
    )
    return {int(uid): str(real or first) for uid, real, first in rows.all()}
