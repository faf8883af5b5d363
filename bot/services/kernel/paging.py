"""Paged lists (pending volunteers, the review queue, open orders, one's requests, live
orders): the rows of one page, 0-based, with the page count. A page past the end — a ▶
pressed after the list got shorter, or forged data — is the last page, and a page
number so large that its offset would not fit a 64-bit integer never reaches SQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from storage.types import ID_MAX

R = TypeVar("R")

# (offset, limit) → (the rows, how many there are in all)
Fetch = Callable[[int, int], Awaitable[tuple[Sequence[R], int]]]


async def fetch_page(fetch: Fetch[R], page: int, size: int) -> tuple[Sequence[R], int, int, int]:
    """The rows of ``page``, the page shown (``page`` clamped to the list), the number of
    pages (at least 1) and the total."""
    page = max(0, page)
    rows, total = await fetch(min(page, ID_MAX // size) * size, size)
    pages = max(1, -(-total // size))
    if page >= pages:
        page = pages - 1
        if total:
            rows, total = await fetch(page * size, size)
            pages = max(1, -(-total // size))
    return rows, page, pages, total
