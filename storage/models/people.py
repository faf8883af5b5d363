"""The people and the organisation: users, the unit tree, specialty teams, categories,
volunteer profiles and teams, coordinator bindings, and the audit log of what
coordinators did."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base, Timestamps
from storage.enums import (
    ApprovalState,
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
    # the group or channel where its broadcasts are also posted (/setchannel there)
    channel_id: Mapped[int | None] = mapped_column(BigInteger)


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
    # the highest star level (星级志愿者) they were told of: each is announced once
    # (revision 0017)
    stars_announced: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

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


class Certificate(Base):
    """A service-record certificate (志愿服务记录证明) issued: what it states, and its
    serial, which /verify looks up (revision 0018)."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(64))
    minutes: Mapped[int] = mapped_column(Integer)
    services: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
