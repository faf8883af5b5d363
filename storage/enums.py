"""State and kind names kept in one place (stored as short strings)."""

from __future__ import annotations

from enum import StrEnum


class UnitKind(StrEnum):
    """三级阵地 and the grids below: district → street → community → grid."""

    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"

    @property
    def depth(self) -> int:
        return list(UnitKind).index(self)


class ApprovalState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


def check_in(column: str, enum: type[StrEnum]) -> str:
    values = ", ".join(f"'{member.value}'" for member in enum)
    return f"{column} IN ({values})"


class OutboxStatus(StrEnum):
    """An outbox message: waiting, leased by a sender, delivered, or given up."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class JobStatus(StrEnum):
    SCHEDULED = "scheduled"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    DROPPED = "dropped"  # fell due while the bot was down and no longer makes sense
