"""Bookkeeping for long runs: what was delivered how often, and a bounded request log.

``Deliveries`` counts every message the sandbox accepted, per bot, method, chat and text, so a
test in another process can ask ``GET /sandbox/delivered`` "was each of my 10,000 messages
delivered exactly once?" without downloading the request log. ``RequestLog`` is the request
log (a list, as before) that can be told to keep only the last N entries, or none.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sandbox.views import LoggedRequest


class Deliveries:
    """Counts of delivered message texts: bot → method → chat → text → times."""

    def __init__(self) -> None:
        self._counts: defaultdict[tuple[int, str], defaultdict[int, Counter[str]]] = defaultdict(
            lambda: defaultdict(Counter)
        )

    def add(self, bot_id: int, method: str, chat_id: int, text: str) -> None:
        self._counts[(bot_id, method)][chat_id][text] += 1

    def clear(self) -> None:
        self._counts.clear()

    def per_chat(self, bot_id: int, method: str | None = None) -> dict[int, dict[str, int]]:
        """chat id → text → times delivered, for ``method`` (every counted method if None)."""
        out: dict[int, Counter[str]] = {}
        for (bot, name), chats in self._counts.items():
            if bot != bot_id or (method is not None and name.lower() != method.lower()):
                continue
            for chat_id, counts in chats.items():
                out.setdefault(chat_id, Counter()).update(counts)
        return {chat_id: dict(counts) for chat_id, counts in sorted(out.items())}

    def summary(
        self, bot_id: int, method: str | None = None, *, texts: bool = True
    ) -> dict[str, Any]:
        """What the control API answers: totals, the duplicates, and (``texts``) every count."""
        chats = self.per_chat(bot_id, method)
        duplicates = {
            str(chat_id): {text: n for text, n in counts.items() if n > 1}
            for chat_id, counts in chats.items()
            if any(n > 1 for n in counts.values())
        }
        result: dict[str, Any] = {
            "method": method,
            "total": sum(sum(c.values()) for c in chats.values()),
            "distinct": sum(len(c) for c in chats.values()),
            "chat_count": len(chats),
            "duplicates": duplicates,
        }
        if texts:
            result["chats"] = {str(chat_id): counts for chat_id, counts in chats.items()}
        return result


class RequestLog(list[LoggedRequest]):
    """The log of Bot API requests; ``limit`` keeps the last N (0: log nothing; None: all).

    Trimmed in chunks, so between N and 2N entries are kept — O(1) per request.

    It stays a list (tests index it: ``sb.requests[-1]``). ``dropped`` counts the entries let
    go from the front, so ``dropped + i`` is the absolute number of the i-th entry kept.
    """

    def __init__(self, limit: int | None = None) -> None:
        super().__init__()
        self.limit = limit
        self.dropped = 0

    def append(self, entry: LoggedRequest) -> None:
        limit = self.limit
        if limit is None:
            super().append(entry)
            return
        if limit <= 0:
            self.dropped += 1
            return
        super().append(entry)
        if len(self) >= 2 * limit:  # trim in chunks: amortised O(1) per request
            extra = len(self) - limit
            del self[:extra]
            self.dropped += extra

    def since(self, index: int) -> list[tuple[int, LoggedRequest]]:
        """The entries from absolute number ``index`` on, with their numbers."""
        start = max(index - self.dropped, 0)
        return list(enumerate(self[start:], start=start + self.dropped))

    def set_limit(self, limit: int | None) -> None:
        self.limit = limit
        if limit is not None and len(self) > max(limit, 0):
            extra = len(self) - max(limit, 0)
            del self[:extra]
            self.dropped += extra

    def clear(self) -> None:
        self.dropped += len(self)
        super().clear()
