"""Work that waits for a burst to end: a debounce with a ceiling.

Some work only tidies up or keeps books — the losers' "join the waitlist" edits after a
grab storm, the "last seen" of a thousand volunteers — and would only slow the burst down
if it ran beside it (the same event loop, the same connections, SQLite's one writer).
A :class:`Debounce` calls its ``release`` once nothing new has been :meth:`poke`\\ d for
``quiet`` seconds, and at the latest ``max_wait`` seconds after the first poke since the
last release, so a bot that is never quiet still does the work regularly.

What it buys: the burst keeps the loop, the connections and the writer to itself. A
poke only notes the time: one timer per burst, which on firing early sets itself again
for what is left of the quiet (a storm pokes a thousand times, and a timer cancelled and
set on each poke costs the loop more). Figures: ``bench/README.md``, sections
"Debounce", "Follow-ups after the burst" and "Last seen after the burst".
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class Debounce:
    def __init__(self, release: Callable[[], None], *, quiet: float, max_wait: float) -> None:
        self._release = release
        self.quiet = quiet
        self.max_wait = max_wait
        self._first_at = 0.0
        self._last_at = 0.0
        self._timer: asyncio.TimerHandle | None = None

    def poke(self) -> None:
        """Something new waits: release once ``quiet`` seconds pass without a poke, or
        ``max_wait`` after the first one waiting, whichever comes first."""
        loop = asyncio.get_running_loop()
        self._last_at = loop.time()
        if self._timer is None:
            self._first_at = self._last_at
            self._timer = loop.call_at(self._due(), self._check)

    def _due(self) -> float:
        return min(self._last_at + self.quiet, self._first_at + self.max_wait)

    def _check(self) -> None:
        loop = asyncio.get_running_loop()
        due = self._due()
        if loop.time() < due:  # poked since the timer was set: wait for the rest
            self._timer = loop.call_at(due, self._check)
            return
        self.fire()

    def fire(self) -> None:
        """Release now (what the timer does once due)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._release()

    @property
    def waiting(self) -> bool:
        """A release is scheduled."""
        return self._timer is not None
