"""Helpers for broadcast tests: the answers about an activity a broadcast carries, as
the /broadcast flow collects them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any


def activity_answers(community_id: int, places: int, starts: datetime) -> dict[str, Any]:
    """The draft's fields of an activity of ``places`` places in the community, two hours
    from ``starts`` (merge them into a BroadcastDraft's)."""
    return {
        "places": places,
        "community_id": community_id,
        "category": "elderly_visit",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "address": "龙湖东岸社区活动室",
        "phone": "13800138000",
    }
