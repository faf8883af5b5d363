"""The 公益银行 (points bank): accounts, the append-only ledger of movements between
them, the rewards catalogue (公益兑换) and redemptions.

Points are stored as whole **tenths of a point** (an ``int``; 3 points = 30), never as
floats. Double-entry: a movement takes ``amount`` from one account and gives it to
another, and each account's ``balance`` is kept beside its movements in the same
statement, so the sum of all balances is always zero and a passbook's running balance is
read, not recomputed. Only the bank's issuing account may be below zero (a check
constraint says so, and a spend is a conditional update that never takes a balance
under it). Movements are never updated or deleted (triggers refuse it, revision 0012); a
correction is a new movement.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.enums import AccountKind, MovementKind, RedemptionState, check_in
from storage.types import BigIntPK, UTCDateTime, utcnow


class PointAccount(Base):
    """An account: the bank's issuing account, a volunteer's passbook, a unit's community
    fund or a unit's rewards account. ``key`` names it ("issuing", "volunteer:12",
    "fund:4", "rewards:4") so each exists once on both back ends."""

    __tablename__ = "point_accounts"
    __table_args__ = (
        CheckConstraint(check_in("kind", AccountKind), name="kind"),
        CheckConstraint("balance >= 0 OR kind = 'issuing'", name="balance_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(48), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("org_units.id", ondelete="RESTRICT"), index=True
    )
    balance: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # tenths
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PointMovement(Base):
    """One movement of points from one account to another (append-only).

    ``key`` makes booking idempotent: ``earn:<claim id>`` is booked once per place
    however often completion is confirmed or a job runs. ``from_balance`` and
    ``to_balance`` are the two accounts' balances just after it. What it was for is in
    ``order_id`` / ``claim_id`` (earn, bonus, a correction's adjust), ``redemption_id``
    (redeem, refund), ``audit_id`` (a coordinator's adjust, a correction) and ``reason``.
    """

    __tablename__ = "point_movements"
    __table_args__ = (
        CheckConstraint(check_in("kind", MovementKind), name="kind"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("from_account_id <> to_account_id", name="two_accounts"),
        Index("ix_point_movements_from", "from_account_id", "id"),
        Index("ix_point_movements_to", "to_account_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    key: Mapped[str] = mapped_column(String(96), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(Integer)  # tenths of a point, > 0
    from_account_id: Mapped[int] = mapped_column(
        ForeignKey("point_accounts.id", ondelete="RESTRICT")
    )
    to_account_id: Mapped[int] = mapped_column(ForeignKey("point_accounts.id", ondelete="RESTRICT"))
    from_balance: Mapped[int] = mapped_column(Integer)
    to_balance: Mapped[int] = mapped_column(Integer)
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="RESTRICT"), index=True
    )
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id", ondelete="RESTRICT"))
    redemption_id: Mapped[int | None] = mapped_column(
        ForeignKey("redemptions.id", ondelete="RESTRICT")
    )
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audit_log.id", ondelete="RESTRICT"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    minutes: Mapped[int | None] = mapped_column(Integer)  # earn: the verified minutes
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class Reward(Base):
    """A reward in a unit's catalogue (公益兑换), offered to the volunteers of that unit
    and the units below it. ``stock`` is what is left; a redemption takes one with a
    conditional update, so it never goes below zero."""

    __tablename__ = "rewards"
    __table_args__ = (
        CheckConstraint("cost > 0", name="cost_positive"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        Index("ix_rewards_unit_active", "unit_id", "active"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(1000), default="")
    cost: Mapped[int] = mapped_column(Integer)  # tenths of a point
    stock: Mapped[int] = mapped_column(Integer)
    active_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active_to: Mapped[datetime | None] = mapped_column(UTCDateTime())
    photo_file_id: Mapped[str | None] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # false: withdrawn
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Redemption(Base):
    """A volunteer's redemption of a reward: its points went to the unit's rewards
    account (a ``redeem`` movement); handed over by a coordinator, or cancelled (a
    ``refund`` movement, and the stock put back)."""

    __tablename__ = "redemptions"
    __table_args__ = (
        CheckConstraint(check_in("state", RedemptionState), name="state"),
        Index("ix_redemptions_volunteer", "volunteer_id", "id"),
        Index("ix_redemptions_reward_state", "reward_id", "state"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    reward_id: Mapped[int] = mapped_column(ForeignKey("rewards.id", ondelete="RESTRICT"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    cost: Mapped[int] = mapped_column(Integer)  # tenths, as it cost when redeemed
    state: Mapped[str] = mapped_column(String(16), default=RedemptionState.PENDING.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(String(500))  # why it was cancelled
