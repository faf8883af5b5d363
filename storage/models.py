"""The tables. Every change here needs an Alembic revision in storage/migrations/versions.

Roles are not stored as flags: a user is a *resident* once they chose a home community,
a *volunteer* with a volunteer profile, a *coordinator* with a coordinator binding, and an
*admin* when that binding is at the root (district) unit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base, Timestamps
from storage.enums import (
    ApprovalState,
    ClaimState,
    JobStatus,
    OrderScope,
    OrderState,
    OutboxStatus,
    UnitKind,
    check_in,
)
from storage.types import BigIntPK, JSONData, UTCDateTime, utcnow


class User(Timestamps, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    first_name: Mapped[str] = mapped_column(String(128), default="")
    last_name: Mapped[str | None] = mapped_column(String(128))
    username: Mapped[str | None] = mapped_column(String(64))
    # Telegram's language_code as last seen, and the language the user chose with /lang
    telegram_language: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    # a resident's home community (picked street → community at /start)
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("org_units.id", ondelete="RESTRICT"), index=True
    )
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # set when Telegram answered 403 (blocked the bot, deactivated) or 400 "chat not
    # found" (never opened the bot), with why (storage.enums.UnreachableReason); cleared
    # when the user writes to the bot again. The outbox holds what is meant for
    # unreachable users, and releases it then (bot/services/people/held.py).
    unreachable_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unreachable_reason: Mapped[str | None] = mapped_column(String(16))
    # the digest of the command menu last set for their chat (handlers/menus.py): set
    # again only when their roles, language or its words differ from it
    menu: Mapped[str | None] = mapped_column(String(32))

    volunteer: Mapped[VolunteerProfile | None] = relationship(
        back_populates="user", foreign_keys="VolunteerProfile.user_id", lazy="raise"
    )


class OrgUnit(Base):
    """A node of the organisation tree. ``path`` is the ids from the root, ``/1/4/17/``,
    so "this unit and every unit below it" is one prefix match."""

    __tablename__ = "org_units"
    __table_args__ = (
        CheckConstraint(check_in("kind", UnitKind), name="kind"),
        Index("ix_org_units_path", "path"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("org_units.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))
    path: Mapped[str] = mapped_column(String(255), default="")
    sort: Mapped[int] = mapped_column(Integer, default=0)


class Team(Base):
    """A specialty team (七大专项): health, emergency rescue, mutual care …"""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))
    sort: Mapped[int] = mapped_column(Integer, default=0)


class Category(Base):
    """A kind of request (探访老人, 代购跑腿 …) with the guidance volunteers are given.
    Orders keep the category's code."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))
    guidance_zh: Mapped[str] = mapped_column(String(2000))
    guidance_en: Mapped[str] = mapped_column(String(2000))
    sort: Mapped[int] = mapped_column(Integer, default=0)


class VolunteerProfile(Timestamps, Base):
    __tablename__ = "volunteer_profiles"
    __table_args__ = (CheckConstraint(check_in("status", ApprovalState), name="status"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    real_name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(20))  # E.164, e.g. +8613800138000
    # shared with Telegram's contact button (the card carries the sender's own user id:
    # the one proof of a number Telegram gives); False when typed or another's card
    phone_verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    community_id: Mapped[int] = mapped_column(
        ForeignKey("org_units.id", ondelete="RESTRICT"), index=True
    )
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="SET NULL"))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default=ApprovalState.PENDING.value)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(
        back_populates="volunteer", foreign_keys=[user_id], lazy="raise"
    )


class VolunteerTeam(Base):
    __tablename__ = "volunteer_teams"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("volunteer_profiles.user_id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CoordinatorBinding(Base):
    """A coordinator (协调员) is bound to one unit and acts at or below it."""

    __tablename__ = "coordinator_bindings"
    __table_args__ = (UniqueConstraint("user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("org_units.id", ondelete="RESTRICT"), index=True
    )
    appointed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEntry(Base):
    """Every coordinator and admin action, append-only."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_label: Mapped[str] = mapped_column(String(64), default="")  # "cli", "config"
    action: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="SET NULL"))
    target_kind: Mapped[str] = mapped_column(String(32), default="")
    target_id: Mapped[int | None] = mapped_column(BigInteger)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONData, default=dict)


class FlowState(Base):
    """Where a user is in a multi-step chat flow, and what they entered so far.

    Written in the same transaction as each step, so a restart (or another worker)
    continues exactly where the user was. ``nonce`` is drawn anew (at random) at every
    step; buttons carry it, so a press on a button of an earlier step — or of an earlier
    flow, whose row is gone — is recognised as stale.
    """

    __tablename__ = "flow_states"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))
    nonce: Mapped[int] = mapped_column(Integer, default=1)
    data: Mapped[dict[str, Any]] = mapped_column(JSONData, default=dict)
    # where "back" leads: the steps answered before (newest last), and the summary an
    # edit returns to once the steps through ``return_until`` are answered again
    history: Mapped[list[str]] = mapped_column(JSONData, default=list, server_default="[]")
    return_to: Mapped[str | None] = mapped_column(String(32))
    return_until: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class OutboxMessage(Base):
    """A message to send later or now, written in the transaction of the change that
    caused it. ``dedup_key`` makes enqueueing idempotent."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(check_in("status", OutboxStatus), name="status"),
        Index("ix_outbox_due", "status", "priority", "due_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(160), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default="text")  # text | photo | document
    payload: Mapped[dict[str, Any]] = mapped_column(JSONData, default=dict)
    priority: Mapped[int] = mapped_column(Integer, default=0)  # lower goes first
    paid_broadcast: Mapped[bool] = mapped_column(default=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.QUEUED.value)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Job(Base):
    """Due work (a reminder, an expiry, a rating prompt …): the database holds the
    truth; the scheduler only wakes a ticker that claims due rows under a lease."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(check_in("status", JobStatus), name="status"),
        Index("ix_jobs_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    kind: Mapped[str] = mapped_column(String(48))
    key: Mapped[str] = mapped_column(String(160), unique=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(JSONData, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.SCHEDULED.value)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


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
