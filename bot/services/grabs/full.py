"""Orders last seen full: the taps on them are answered by a read, not in the claim batch.

In the opening second of an activity (抢单) thousands of taps meet its twenty places; all
but the first few arrive after the last place went. :class:`FullOrders` notes, in this
process, each order a grab batch found taking no one (full, or closed, or not open
yet); a tap on a noted order goes to a batch of its own (``claims.refuse``) that only
reads — the order and the taps' standing to it, the same lock-free read a claim batch
begins with — and answers from what it read. It does not wait behind the claim batch's
write transaction, nor behind SQLite's write lock while another writer (the fan-out of
the same activity's announcement, another process) holds it.

Why a note can never answer wrongly, in this process or across processes: the note
answers nothing itself. It only chooses which batch a tap goes to; the refusal is
decided from the order's row as read *after* the tap arrived, exactly as a claim batch
decides its full-order refusals (``Grabbing._grab_many``: that read takes no lock
either — a tap refused there is ordered before any place freed after the read). A
place freed or added on any path — a cancellation, an offer passed on or run out, a
no-show, the places raised, the order reopened — in this process or another, is in the
row the next refusal read sees: the order is grabbable again, the note is forgotten, and
the taps of that batch go on, in the order they came and ahead of any later tap, into
the claim batch (``Batcher.enqueue`` before the note is dropped). So the paths that free
a place need not know of the note; a stale note costs a tap one extra read, nothing
more. Notes expire after ``ttl`` seconds (monotonic time) so an order not tapped any
more is not remembered, and at most ``limit`` orders are.
"""

from __future__ import annotations

import time


class FullOrders:
    def __init__(self, ttl: float = 30.0, limit: int = 1024) -> None:
        self.ttl = ttl
        self.limit = limit
        self._seen: dict[int, float] = {}  # order id → when last found taking no one

    def note(self, order_id: int) -> None:
        if len(self._seen) >= self.limit and order_id not in self._seen:
            self._seen.clear()
        self._seen[order_id] = time.monotonic()

    def forget(self, order_id: int) -> None:
        self._seen.pop(order_id, None)

    def __contains__(self, order_id: int) -> bool:
        seen = self._seen.get(order_id)
        if seen is None:
            return False
        if time.monotonic() - seen > self.ttl:
            del self._seen[order_id]
            return False
        return True
