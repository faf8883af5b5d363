"""评单: the resident's rating of a completed order. One prompt per order, one rating per
volunteer who served it (or, when more than five served, the team's stars given to each
of them, ``team`` set), and one optional comment for the whole service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.enums import RatingPromptState, check_in
from storage.types import BigIntPK, UTCDateTime, utcnow


class RatingPrompt(Base):
    """The 评单 of one order: who rates it (its requester, also for someone without
    Telegram they asked for), when they were asked and reminded, when it expires, the
    comment, and when the coordinators were alerted of a low rating."""

    __tablename__ = "rating_prompts"
    __table_args__ = (
        CheckConstraint(check_in("state", RatingPromptState), name="state"),
        Index("ix_rating_prompts_state_expires", "state", "expires_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=RatingPromptState.OPEN.value)
    team: Mapped[bool] = mapped_column(Boolean, default=False)  # one rating for all who served
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    comment: Mapped[str | None] = mapped_column(String(2000))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Rating(Base):
    """Stars (1–5) for one volunteer's place on a rated order; once per place."""

    __tablename__ = "ratings"
    __table_args__ = (
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars"),
        UniqueConstraint("order_id", "claim_id"),
        Index("ix_ratings_volunteer", "volunteer_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    prompt_id: Mapped[int] = mapped_column(ForeignKey("rating_prompts.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    stars: Mapped[int] = mapped_column(Integer)
    team: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
