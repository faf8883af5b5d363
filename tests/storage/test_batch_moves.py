"""Many movements booked together (``batch_moves.move_many``), on both back ends: the
running balances beside each movement are those one-by-one booking would write; a
payer short of the batch's total, or a key booked already, leaves nothing of it; and a
batch racing single movements the other way round neither deadlocks nor overdraws."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from storage.database import Database
from storage.enums import AccountKind, MovementKind
from storage.models import PointAccount, PointMovement, User
from storage.repositories import points as points_repo
from storage.repositories.batch_moves import Leg, move_many
from storage.repositories.points import Booked, Refused
from tests.storage.test_points_ledger import AT, _accounts, _earn, _users


async def _rewards_account(db: Database) -> int:
    """The hub the volunteers pay (any account that is not theirs will do)."""
    async with db.transaction() as session:
        owner = User(telegram_id=9999, first_name="hub")
        session.add(owner)
        await session.flush()
        return await points_repo.account_id(session, AccountKind.VOLUNTEER, owner.id)


async def _spend_together(db: Database, hub: int, legs: list[Leg]) -> dict[str, Booked] | None:
    async with db.transaction() as session:
        return await move_many(
            session, kind=MovementKind.REDEEM, hub=hub, legs=legs, hub_pays=False, at=AT
        )


async def _movements(db: Database) -> list[tuple[str, int, int, int, int]]:
    async with db.read() as session:
        rows = await session.execute(
            select(
                PointMovement.key,
                PointMovement.from_account_id,
                PointMovement.to_account_id,
                PointMovement.from_balance,
                PointMovement.to_balance,
            ).order_by(PointMovement.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_a_batch_writes_the_running_balances_one_by_one_booking_would(
    db: Database,
) -> None:
    a, b = await _users(db, 2)
    issuing, (mine, theirs) = await _accounts(db, [a, b])
    await _earn(db, issuing, mine, 100, "earn:a")
    await _earn(db, issuing, theirs, 40, "earn:b")
    hub = await _rewards_account(db)
    # one payer twice in the batch, in the order the taps came
    legs = [
        Leg("redeem:1", mine, 30, {}),
        Leg("redeem:2", theirs, 25, {"actor_id": b}),
        Leg("redeem:3", mine, 30, {}),
    ]
    booked = await _spend_together(db, hub, legs)
    assert booked is not None
    assert [(k, v.from_balance, v.to_balance) for k, v in booked.items()] == [
        ("redeem:1", 70, 30),
        ("redeem:2", 15, 55),
        ("redeem:3", 40, 85),
    ]
    assert (await _movements(db))[2:] == [
        ("redeem:1", mine, hub, 70, 30),
        ("redeem:2", theirs, hub, 15, 55),
        ("redeem:3", mine, hub, 40, 85),
    ]
    async with db.read() as session:
        assert await points_repo.balance(session, mine) == 40
        assert await points_repo.balance(session, hub) == 85
        assert await session.scalar(select(func.sum(PointAccount.balance))) == 0
        ids = {m.key: m.id for m in await session.scalars(select(PointMovement))}
    assert {k: v.movement_id for k, v in booked.items()} == {
        k: ids[k] for k in ("redeem:1", "redeem:2", "redeem:3")
    }


async def test_a_payer_short_of_its_total_in_the_batch_leaves_nothing(db: Database) -> None:
    a, b = await _users(db, 2)
    issuing, (mine, theirs) = await _accounts(db, [a, b])
    await _earn(db, issuing, mine, 50, "earn:a")
    await _earn(db, issuing, theirs, 50, "earn:b")
    hub = await _rewards_account(db)
    # 30 + 30 from one who has 50: each leg alone would fit, the two do not
    legs = [Leg("redeem:1", mine, 30, {}), Leg("redeem:2", theirs, 30, {})]
    legs.append(Leg("redeem:3", mine, 30, {}))
    assert await _spend_together(db, hub, legs) is None
    assert len(await _movements(db)) == 2
    async with db.read() as session:
        assert await points_repo.balance(session, mine) == 50
        assert await points_repo.balance(session, theirs) == 50
        assert await points_repo.balance(session, hub) == 0


async def test_a_key_booked_already_leaves_nothing_of_the_batch(db: Database) -> None:
    (a,) = await _users(db, 1)
    issuing, (mine,) = await _accounts(db, [a])
    await _earn(db, issuing, mine, 100, "earn:a")
    hub = await _rewards_account(db)
    assert await _spend_together(db, hub, [Leg("redeem:1", mine, 10, {})]) is not None
    again = [Leg("redeem:2", mine, 10, {}), Leg("redeem:1", mine, 10, {})]
    assert await _spend_together(db, hub, again) is None
    async with db.read() as session:
        assert await points_repo.balance(session, mine) == 90


async def test_the_issuing_account_pays_a_batch_below_zero(db: Database) -> None:
    users = await _users(db, 3)
    issuing, mine = await _accounts(db, users)
    legs = [Leg(f"earn:{i}", account, 15, {"minutes": 30}) for i, account in enumerate(mine)]
    async with db.transaction() as session:
        booked = await move_many(
            session, kind=MovementKind.EARN, hub=issuing, legs=legs, hub_pays=True, at=AT
        )
    assert booked is not None
    assert [(v.from_balance, v.to_balance) for v in booked.values()] == [
        (-15, 15),
        (-30, 15),
        (-45, 15),
    ]


async def test_batches_and_opposite_single_movements_neither_deadlock_nor_overdraw(
    db: Database,
) -> None:
    users = await _users(db, 6)
    issuing, mine = await _accounts(db, users)
    for i, account in enumerate(mine):
        await _earn(db, issuing, account, 60, f"earn:{i}")
    hub = await _rewards_account(db)

    async def batch(n: int) -> dict[str, Booked] | None:
        legs = [Leg(f"redeem:{n}:{i}", account, 20, {}) for i, account in enumerate(mine)]
        return await _spend_together(db, hub, legs)

    async def refund(n: int, account: int) -> Booked | Refused:
        async with db.transaction() as session:
            return await points_repo.move(
                session,
                key=f"refund:{n}",
                kind=MovementKind.REFUND,
                amount=5,
                from_account=hub,
                to_account=account,
                at=AT,
            )

    results = await asyncio.gather(
        *(batch(n) for n in range(5)),
        *(refund(n, mine[n % len(mine)]) for n in range(10)),
    )
    batches = [r for r in results[:5] if r is not None]
    refunds = [r for r in results[5:] if isinstance(r, Booked)]
    assert 1 <= len(batches) <= 3  # each volunteer has 60 and a few refunds of 5
    async with db.read() as session:
        balances = {a: await points_repo.balance(session, a) for a in mine}
        assert all(v >= 0 for v in balances.values())
        assert await points_repo.balance(session, hub) == 20 * 6 * len(batches) - 5 * len(refunds)
        assert await session.scalar(select(func.sum(PointAccount.balance))) == 0
