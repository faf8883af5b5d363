"""What the bot keeps for itself: flow drafts, the outbox of messages to send, and durable jobs."""

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
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.enums import (
    JobStatus,
    OutboxStatus,
    check_in,
)
from storage.types import BigIntPK, JSONData, UTCDateTime, utcnow


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
        Index("ix_outbox_campaign", "campaign_id", "status"),
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
    # the campaign that wrote it (a broadcast's figures are its rows' states)
    campaign_id: Mapped[int | None] = mapped_column(BigIntPK)


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
