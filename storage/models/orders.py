"""Orders (点单 → 发单), the places volunteers hold on them (接单, 服务), and the messages
that showed a resident's contact."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, Timestamps
from storage.enums import (
    ClaimState,
    OrderScope,
    OrderState,
    check_in,
)
from storage.types import BigIntPK, UTCDateTime, utcnow


class Order(Timestamps, Base):
    """A request for help (点单) and, once published, the places volunteers grab.

    First come, first served lives in the constraints: ``taken`` only moves by one
    conditional UPDATE (``… WHERE taken < places``), and ``CHECK(taken <= places)`` is
    the last line of defence. ``places`` is 0 until a coordinator publishes the order.
    ``number`` is what people quote ("HY000042"): made from the id, so unique without a
    counter row to contend for; it is written in the transaction that inserts the row.
    """

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(check_in("state", OrderState), name="state"),
        CheckConstraint(check_in("scope", OrderScope), name="scope"),
        CheckConstraint("taken >= 0", name="taken_not_negative"),
        CheckConstraint("taken <= places", name="taken_within_places"),
        CheckConstraint("places BETWEEN 0 AND 200", name="places_range"),
        CheckConstraint("places > 0 OR published_at IS NULL", name="published_has_places"),
        CheckConstraint("ends_at > starts_at", name="window"),
        CheckConstraint("helpers_requested BETWEEN 1 AND 200", name="helpers_range"),
        Index("ix_orders_review", "state", "community_id", "created_at"),
        Index("ix_orders_browse", "state", "starts_at"),
        # the hours of a period: leaderboards, star levels, exports, charts (revision 0019)
        Index("ix_orders_completed", "state", "completed_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(24), unique=True)
    requester_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    beneficiary_name: Mapped[str | None] = mapped_column(String(64))
    beneficiary_phone: Mapped[str | None] = mapped_column(String(20))
    beneficiary_address: Mapped[str | None] = mapped_column(Text)
    community_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"))
    category: Mapped[str] = mapped_column(String(32))
    # an activity's own title (revision 0007); a resident's request has none, and
    # volunteers read its description instead
    title: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    address: Mapped[str] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    contact_phone: Mapped[str] = mapped_column(String(20))
    helpers_requested: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default=OrderState.PENDING_REVIEW.value)
    places: Mapped[int] = mapped_column(Integer, default=0)
    taken: Mapped[int] = mapped_column(Integer, default=0)
    points_rate: Mapped[float | None] = mapped_column(Float)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    guidance: Mapped[str | None] = mapped_column(Text)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    scope: Mapped[str] = mapped_column(String(16), default=OrderScope.COMMUNITY.value)
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="SET NULL")
    )
    reject_reason: Mapped[str | None] = mapped_column(String(500))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the requester (or a coordinator) confirmed the service was done (revision 0006)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Claim(Base):
    """A volunteer's place on an order, or their place in its waitlist. One row per
    volunteer and order, ever: a second tap finds the row, never a second place."""

    __tablename__ = "claims"
    __table_args__ = (
        CheckConstraint(check_in("state", ClaimState), name="state"),
        UniqueConstraint("order_id", "volunteer_id"),
        Index("ix_claims_order_state", "order_id", "state", "joined_at"),
        Index("ix_claims_volunteer_state", "volunteer_id", "state"),
        Index("ix_claims_offer_expiry", "state", "offer_expires_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    guidance_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    minutes: Mapped[int | None] = mapped_column(Integer)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    late_cancel: Mapped[bool] = mapped_column(Boolean, default=False)
    # attendance (revision 0006): where the volunteer checked in, if they shared it;
    # checked out by the bot at the window's end (they forgot); hours corrected
    check_in_latitude: Mapped[float | None] = mapped_column(Float)
    check_in_longitude: Mapped[float | None] = mapped_column(Float)
    auto_checked_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    minutes_corrected: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # (revision 0010) counts the row's changes of state (and its revivals): a button
    # that changes a claim carries the version it was made for, so a button left over
    # from before a change (an offer already accepted, a place given up and grabbed
    # again under the same id) is refused instead of acting on what the claim is now
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ContactReveal(Base):
    """A message that showed a volunteer the resident's address and phone. Once the
    service is over (plus ``[orders] hide_contact_after_hours``) each one is edited to
    a version without them, and ``hidden_at`` is set."""

    __tablename__ = "contact_reveals"
    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
