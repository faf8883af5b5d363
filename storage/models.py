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
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base, Timestamps
from storage.enums import ApprovalState, JobStatus, OutboxStatus, UnitKind, check_in
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
    # set when Telegram answered 403 (blocked the bot, deactivated); cleared when the
    # user writes to the bot again. The outbox sends nothing to unreachable users.
    unreachable_since: Mapped[datetime | None] = mapped_column(UTCDateTime())

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


class VolunteerProfile(Timestamps, Base):
    __tablename__ = "volunteer_profiles"
    __table_args__ = (CheckConstraint(check_in("status", ApprovalState), name="status"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    real_name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(20))  # E.164, e.g. +8613800138000
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
    continues exactly where the user was. ``nonce`` changes at every step; buttons carry
    it, so a press on a button of an earlier step is recognised as stale.
    """

    __tablename__ = "flow_states"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))
    nonce: Mapped[int] = mapped_column(Integer, default=1)
    data: Mapped[dict[str, Any]] = mapped_column(JSONData, default=dict)
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
