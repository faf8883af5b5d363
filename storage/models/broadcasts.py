"""Campaigns: one notice for a whole audience (an order announced to a street's
volunteers, later a coordinator's broadcast), committed at once by the action that
causes it and written to the outbox page by page afterwards (bot/delivery/fanout.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.enums import CampaignState, check_in
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
