"""Callback data codec: a short prefix and integer ids, ``"va:123:1"`` (≤ 64 bytes).

The data says what was pressed, never whether it is allowed: every handler re-checks
the database and the presser's rights. Prefixes of buttons that services put into
notices (sent later through the outbox) are defined here, beside the codec.
"""

from __future__ import annotations

import re

from storage.types import ID_MAX

MAX_BYTES = 64
_ID_DIGITS = len(str(ID_MAX))

DECIDE_VOLUNTEER = "va"  # va:<volunteer user id>:<1 approve | 0 decline>
ACCEPT_OFFER = "oa"  # oa:<claim id>  (a freed place offered to a waitlisted volunteer)
DECLINE_OFFER = "od"  # od:<claim id>
GRAB = "gr"  # gr:<order id>  (the Grab button of a published order's announcement)
JOIN_WAITLIST = "gw"  # gw:<order id>  (its places are gone: join the order's waitlist)
CANCEL_PLACE = "gc"  # gc:<claim id>  (the volunteer gives up a place: place message, reminder)
CONFIRM_SERVICE = "sc"  # sc:<order id>  (the requester confirms the service was done)
ORDER_ATTENDANCE = "av"  # av:<order id>  (a coordinator's view of an order's volunteers)
REVIEW_ORDER = "ro"  # ro:<order id>  (open the review of a request that waited too long)
RATE = "rs"  # rs:<prompt id>:<claim id | 0 the team>:<stars 1–5 | 0 the row's name>
WIDEN = "ow"  # ow:<order id>  (announce an order short of volunteers to the whole street)
HAND_OVER = "bh"  # bh:<redemption id>  (a coordinator handed the redeemed reward over)
CANCEL_REDEMPTION = "bk"  # bk:<redemption id>  (a coordinator cancels it, with a reason)
ADJUST_POINTS = "pj"  # pj:<volunteer user id>  (a coordinator adjusts a volunteer's points)
MUTE_BROADCASTS = "mu"  # mu:<broadcast id>  (a volunteer mutes broadcasts of its category)
BROADCAST_CONTROL = (
    "bz"  # bz:<broadcast id>:<action>  (pause, resume, cancel: bot/messages/broadcasts.py)
)
RANK = "rk"  # rk:<metric>:<period>:<view>:<id>:<page>  (/rank: handlers/recognition/rank.py)
REPORT = "rp"  # rp:<months back>:<kind>:<format>:<1 export | 0 choose>  (/report)
AUDIT = "au"  # au:<kind>:<person's Telegram id | 0>:<page>  (/audit: handlers/reports/audit.py)
SETTINGS_MUTE = "st"  # st:<category index>:<1 mute | 0 unmute>  (/settings)


def encode(prefix: str, *parts: int | str) -> str:
    data = ":".join([prefix, *(str(p) for p in parts)])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(prefix)}(:|$)")


def decode_id(part: str) -> int | None:
    """One integer part as :func:`encode` writes an id, a page or a choice: ASCII digits,
    0 … ID_MAX (the database's 64-bit ids). None for anything else — a sign, spaces,
    other digits (``²``, ``１``), or a number no row can have — so a forged or stale
    button never reaches a query with it."""
    if not (0 < len(part) <= _ID_DIGITS and part.isascii() and part.isdigit()):
        return None
    value = int(part)
    return value if value <= ID_MAX else None


def decode_ints(data: str, prefix: str, count: int) -> tuple[int, ...] | None:
    """The ``count`` integer parts after ``prefix`` (each as :func:`decode_id` reads
    it), or None when the data is malformed."""
    parts = data.split(":")
    if parts[0] != prefix or len(parts) != count + 1:
        return None
    ids = []
    for part in parts[1:]:
        value = decode_id(part)
        if value is None:
            return None
        ids.append(value)
    return tuple(ids)
