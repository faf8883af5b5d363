"""Campaigns: one notice for a whole audience (an order announced to a street's
volunteers, later a coordinator's broadcast), committed at once by the action that
causes it and written to the outbox page by page afterwards (bot/delivery/fanout.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.enums import BroadcastCategory, BroadcastState, CampaignState, check_in
from storage.types import BigIntPK, JSONData, UTCDateTime, utcnow


class Campaign(Base):
    """What (``kind`` and its ``params``: ``order.announce`` with the order's id), to
    whom (``audience``: a description of a query, e.g. the approved volunteers under a
    unit's path, in a team), at which outbox ``priority``, and how far its recipients
    were written: ``cursor`` is the last user id written (keyset order by user id),
    ``recipients`` how many were written so far, ``pages`` in how many transactions."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint(check_in("state", CampaignState), name="state"),
        Index("ix_campaigns_state", "state", "priority", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    kind: Mapped[str] = mapped_column(String(48))
    params: Mapped[dict[str, Any]] = mapped_column(JSONData, default=dict)
    audience: Mapped[dict[str, Any]] = mapped_column(JSONData, default=dict)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default=CampaignState.RUNNING.value)
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    stop_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Broadcast(Base):
    """A coordinator's broadcast (/broadcast): the words as volunteers read them (HTML,
    checked as Telegram parses it), an optional photo (a Telegram file id), its
    category (what volunteers may mute), its audience (as the campaign stores it) and
    how many it counted when it was sent, under the unit whose coordinators own it.
    Its recipients are its campaign's; its figures are the states of its outbox rows
    (``outbox.campaign_id``)."""

    __tablename__ = "broadcasts"
    __table_args__ = (
        CheckConstraint(check_in("category", BroadcastCategory), name="category"),
        CheckConstraint(check_in("state", BroadcastState), name="state"),
        Index("ix_broadcasts_unit", "unit_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    category: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    photo: Mapped[str | None] = mapped_column(String(255))
    audience: Mapped[dict[str, Any]] = mapped_column(JSONData, default=dict)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default=BroadcastState.SENDING.value)
    campaign_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("campaigns.id", ondelete="SET NULL")
    )
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    channel_id: Mapped[int | None] = mapped_column(BigInteger)  # also posted there
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class BroadcastMute(Base):
    """A volunteer does not want broadcasts of ``category`` (/settings)."""

    __tablename__ = "broadcast_mutes"
    __table_args__ = (CheckConstraint(check_in("category", BroadcastCategory), name="category"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
