"""Telegram's flood limits, enforced by the sandbox when asked (off by default).

Telegram answers ``429 Too Many Requests: retry after N`` (``parameters.retry_after = N``)
when a bot sends faster than about 30 messages/s in total, 1/s to one chat (short bursts
tolerated), 20/min to one group, or — with ``allow_paid_broadcast`` — 1000/s. The sandbox
does the same, each limit a token bucket on the sandbox's own clock (``World.now``, which
tests freeze and advance), so "the 31st message within the second is refused" holds
deterministically.

Why our own small bucket and not a library: aiolimiter (which PTB's ``AIORateLimiter``
uses) and similar libraries are client-side *waiters* — ``async with limiter:`` sleeps until
there is capacity, on the event loop's clock. A server needs the opposite: decide at once,
without waiting, whether this request fits, and if not, how many seconds until it would —
and on a clock the tests control. That is a dozen lines.

Counted: methods that send or edit a message (``send*`` except ``sendChatAction``,
``copyMessage(s)``, ``forwardMessage(s)``, ``edit*``). A send with
``allow_paid_broadcast=true`` counts against the paid limit *instead of* the overall one (that
is what paid broadcast lifts); per-chat and per-group limits apply to every send. The group
limit applies to every non-private chat (groups, supergroups, channels). Only messages
actually sent count: a request refused with 429 (or any other error) takes no capacity.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sandbox.state import ChatState

_EPSILON = 1e-9  # 3 s at 20/min refills 0.9999999999 tokens in floating point
_COUNTED_EXTRA = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"})


def counted_method(method: str) -> bool:
    """Does ``method`` (canonical name) send or edit a message, so flood limits apply?"""
    return (
        (method.startswith("send") and method != "sendChatAction")
        or method.startswith("edit")
        or method in _COUNTED_EXTRA
    )


@dataclass(frozen=True)
class RateLimits:
    """Flood limits per bot; ``None`` (or 0 from the command line) lifts one.

    The defaults are Telegram's published figures: 30 messages/s overall, 1/s per private chat
    with a burst of 3, 20/min per group, 1000/s with ``allow_paid_broadcast``. The overall and
    paid buckets hold one second's worth (so the N+1-th message within a second is refused).
    """

    overall_per_s: float | None = 30.0
    per_chat_per_s: float | None = 1.0
    per_chat_burst: int = 3
    per_group_per_min: float | None = 20.0
    paid_per_s: float | None = 1000.0

    def __post_init__(self) -> None:
        for name in ("overall_per_s", "per_chat_per_s", "per_group_per_min", "paid_per_s"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                object.__setattr__(self, name, None)  # 0 means "no limit", as on the CLI
        if self.per_chat_burst < 1:
            raise ValueError("per_chat_burst must be at least 1")

    def updated(self, **changes: Any) -> RateLimits:
        """A copy with ``changes`` (unknown names are a ValueError)."""
        unknown = set(changes) - set(asdict(self))
        if unknown:
            raise ValueError(f"unknown rate limit(s): {', '.join(sorted(unknown))}")
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Bucket:
    """``capacity`` tokens, refilled at ``rate`` per second; one token per message."""

    rate: float
    capacity: float
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        if now > self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now  # a clock moved backwards simply refills nothing

    def wait(self) -> float:
        """Seconds until one token is there (0 if it is now)."""
        missing = 1.0 - self.tokens
        return 0.0 if missing <= _EPSILON else missing / self.rate


@dataclass
class RateLimiter:
    """The buckets of every bot and chat under one :class:`RateLimits`."""

    limits: RateLimits
    _buckets: dict[tuple[int, str, int], _Bucket] = field(default_factory=dict)

    def _bucket(
        self, key: tuple[int, str, int], rate: float, capacity: float, now: float
    ) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(rate, capacity, capacity, now)
        else:
            bucket.refill(now)
        return bucket

    def _buckets_for(
        self, bot_id: int, chat: ChatState | None, paid: bool, now: float
    ) -> list[_Bucket]:
        limits = self.limits
        out: list[_Bucket] = []
        if paid:
            if limits.paid_per_s is not None:
                rate = limits.paid_per_s
                out.append(self._bucket((bot_id, "paid", 0), rate, max(rate, 1.0), now))
        elif limits.overall_per_s is not None:
            rate = limits.overall_per_s
            out.append(self._bucket((bot_id, "all", 0), rate, max(rate, 1.0), now))
        if chat is not None:
            if chat.type == "private":
                if limits.per_chat_per_s is not None:
                    key = (bot_id, "chat", chat.id)
                    out.append(self._bucket(key, limits.per_chat_per_s, limits.per_chat_burst, now))
            elif limits.per_group_per_min is not None:
                rate = limits.per_group_per_min / 60.0
                capacity = max(limits.per_group_per_min, 1.0)
                out.append(self._bucket((bot_id, "group", chat.id), rate, capacity, now))
        return out

    def take(self, bot_id: int, chat: ChatState | None, paid: bool, now: float) -> int | None:
        """Take one message's capacity: None if it fits (taken), else ``retry_after`` (≥ 1 s,
        whole seconds as Telegram gives them), nothing taken."""
        buckets = self._buckets_for(bot_id, chat, paid, now)
        wait = max((b.wait() for b in buckets), default=0.0)
        if wait > 0:
            return max(1, math.ceil(wait - _EPSILON))
        for bucket in buckets:
            bucket.tokens -= 1.0
        return None

    def give_back(self, bot_id: int, chat: ChatState | None, paid: bool, now: float) -> None:
        """Return the capacity taken for a message that was not sent after all (an error)."""
        for bucket in self._buckets_for(bot_id, chat, paid, now):
            bucket.tokens = min(bucket.capacity, bucket.tokens + 1.0)

    def reset(self) -> None:
        self._buckets.clear()
