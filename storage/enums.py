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
    """An outbox message: waiting, leased by a sender, delivered, or given up; or held
    because its recipient cannot be reached (blocked the bot, or never opened it) until
    they write to the bot again."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    HELD = "held"


class UnreachableReason(StrEnum):
    """Why the bot cannot write to someone (``users.unreachable_reason``)."""

    BLOCKED = "blocked"  # 403: blocked the bot, or the account is deactivated
    NOT_STARTED = "not_started"  # 400 "chat not found": never opened the bot


class JobStatus(StrEnum):
    SCHEDULED = "scheduled"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    DROPPED = "dropped"  # fell due while the bot was down and no longer makes sense


class OrderState(StrEnum):
    """An order (点单 → 发单 → 接单 → 服务): reviewed, published, filled, served.

    ``pending_review → open → filled → in_service → completed``; ``rejected``,
    ``cancelled`` and ``expired`` are ends. ``filled`` goes back to ``open`` when a
    place frees and nobody is waiting for it.
    """

    PENDING_REVIEW = "pending_review"
    OPEN = "open"
    FILLED = "filled"
    IN_SERVICE = "in_service"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class ClaimState(StrEnum):
    """A volunteer's place on an order.

    ``claimed``, ``offered`` (a waitlisted volunteer offered a freed place, reserved
    for them until ``offer_expires_at``) and ``checked_in`` hold a place: the order's
    ``taken`` counts exactly those. ``waitlisted`` waits in ``joined_at`` order.
    """

    CLAIMED = "claimed"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"
    CANCELLED = "cancelled"
    CHECKED_IN = "checked_in"
    DONE = "done"
    NO_SHOW = "no_show"


# the claim states that hold one of the order's places (orders.taken counts them)
PLACE_HOLDING = (ClaimState.CLAIMED.value, ClaimState.OFFERED.value, ClaimState.CHECKED_IN.value)


class OrderScope(StrEnum):
    """Who is told of a published order: the community's squad, the whole street, or
    the whole district (district coordinators only)."""

    COMMUNITY = "community"
    STREET = "street"
    DISTRICT = "district"


class AccountKind(StrEnum):
    """An account of the 公益银行 (points bank), double-entry: every movement takes
    points from one account and gives them to another, so all balances sum to zero.

    ``issuing`` is the bank's own account, the one every earned point comes from (its
    balance is minus the points in circulation, the only balance below zero);
    ``volunteer`` is a volunteer's passbook (存折); ``fund`` a unit's community fund
    (points donated to it); ``rewards`` a unit's rewards account (points spent on its
    catalogue).
    """

    ISSUING = "issuing"
    VOLUNTEER = "volunteer"
    FUND = "fund"
    REWARDS = "rewards"


class MovementKind(StrEnum):
    """What a ledger movement was: points earned for verified hours, a bonus, a
    coordinator's adjustment (with a reason, either way), a reward redeemed, a cancelled
    redemption refunded, a transfer to another volunteer or a unit's fund."""

    EARN = "earn"
    BONUS = "bonus"
    ADJUST = "adjust"
    REDEEM = "redeem"
    REFUND = "refund"
    TRANSFER = "transfer"


class RedemptionState(StrEnum):
    """A reward redeemed (公益兑换): waiting to be handed over, handed over, or
    cancelled (its points refunded, its stock put back)."""

    PENDING = "pending"
    HANDED_OVER = "handed_over"
    CANCELLED = "cancelled"


class RatingPromptState(StrEnum):
    """The resident's 评单 for one order: asked (stars still missing, or the comment),
    done, or expired unanswered."""

    OPEN = "open"
    DONE = "done"
    EXPIRED = "expired"


class CampaignState(StrEnum):
    """A campaign (a notice fanned out to an audience, bot/services/broadcasts/): its
    recipients still being written to the outbox page by page, all written, or stopped
    before the end (what it announces closed meanwhile)."""

    RUNNING = "running"
    DONE = "done"
    STOPPED = "stopped"


class BroadcastCategory(StrEnum):
    """What a coordinator's broadcast is about, chosen when composing; a volunteer may
    mute each in /settings (an order's announcement in their own community is no
    broadcast and stays on)."""

    ACTIVITIES = "activities"  # calls to activities
    NEWS = "news"  # news of the service
    DISTRICT = "district"  # district-wide calls


class BroadcastState(StrEnum):
    """A broadcast: waiting for its time, being sent, paused by a coordinator,
    cancelled (the rest not sent), or done (everyone in its audience was tried)."""

    SCHEDULED = "scheduled"
    SENDING = "sending"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    DONE = "done"
