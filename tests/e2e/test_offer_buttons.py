"""End to end: an offer's buttons once the offer is settled (issue 12, item 1).

A waitlisted volunteer offered a freed place accepts it: the offer message loses its
buttons and says so, and a leftover "No, thanks" (pressed from a client that still shows
it) is refused as stale without touching the place — no cancellation, late or not, and
the order stays full. A declined offer likewise: its message says so, and a leftover
"Accept" does not take the place that passed to the next in line. In Chinese and in
English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.i18n import get_translator
from sandbox import Sandbox
from sandbox.views import BotMessage
from storage.models import Claim, Order
from tests.support.bot import RunningBot
from tests.support.chat import give_up_place, publish_activity, shown, staff

COMMUNITY = "longyang.longhudongan"
COORDINATOR_ID = 9701
HOLDER, FIRST, SECOND = 2701, 2702, 2703
ADDRESS = "龙湖东岸 7 栋 1 单元 101"


async def claim_of(bot: RunningBot, order_id: int, volunteer_tid: int) -> Claim:
    volunteer = await bot.services.users.get(volunteer_tid)
    async with bot.db.read() as session:
        claim = await session.scalar(
            select(Claim).where(Claim.order_id == order_id, Claim.volunteer_id == volunteer.id)
        )
    assert claim is not None
    return claim


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_a_settled_offer_loses_its_buttons_and_a_leftover_press_changes_nothing(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    t = get_translator(language)
    code = "zh-hans" if language == "zh_CN" else "en"
    tids = (HOLDER, FIRST, SECOND)
    await staff(bot, COMMUNITY, COORDINATOR_ID, tids, language)
    starts = (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)
    order = await publish_activity(
        bot, COORDINATOR_ID, COMMUNITY, starts, places=1, address=ADDRESS, hours=2
    )
    holder, first, second = (sandbox.user(tid, language_code=code) for tid in tids)
    grab, join = t.plain("grab.button_grab"), t.plain("grab.button_join_waitlist")
    accept, decline = t.plain("button.accept_offer"), t.plain("button.decline_offer")

    announced = await holder.wait_for(order.number, timeout=15)
    await holder.press(grab, message=announced)
    await holder.wait_for(ADDRESS)
    for volunteer in (first, second):  # the order is full: both join the waitlist
        theirs = await volunteer.wait_for(order.number, timeout=15)
        await volunteer.press(grab, message=theirs)
        await volunteer.wait_for(predicate=lambda m: any(join in row for row in m.buttons))
        await volunteer.press(join)
        await volunteer.wait_for(shown(t, "grab.waitlisted", number=order.number))

    def offer_of(volunteer_messages: list[BotMessage]) -> BotMessage:
        return next(m for m in volunteer_messages if accept in m.callback_data)

    # --- the holder gives up; the first in line declines: their offer says so ----------
    await give_up_place(holder, t)
    await first.wait_for(predicate=lambda m: any(accept in row for row in m.buttons), timeout=15)
    first_offer = offer_of(first.messages)
    stale_accept = first_offer.data_for(accept)
    await first.press(decline, message=first_offer)
    declined = shown(t, "grab.offer_declined", number=order.number)
    settled = await first.wait_for(
        declined, predicate=lambda m: m.message_id == first_offer.message_id
    )
    assert settled.buttons == []

    # --- the next in line accepts: the offer message loses its buttons ------------------
    await second.wait_for(predicate=lambda m: any(accept in row for row in m.buttons), timeout=15)
    offer = offer_of(second.messages)
    stale_decline = offer.data_for(decline)
    answer = await second.press(accept, message=offer)
    assert answer.text == t.plain("grab.got_alert", number=order.number)
    accepted = shown(t, "claim.offer_accepted", number=order.number)
    settled = await second.wait_for(accepted, predicate=lambda m: m.message_id == offer.message_id)
    assert settled.buttons == []
    await second.wait_for(ADDRESS)  # the place, in the next message

    # --- leftover presses on the settled offers: refused, nothing changes ----------------
    refused = await second.press_data(offer.message_id, stale_decline)
    assert refused.show_alert and refused.text == t.plain("error.offer_settled")
    refused = await first.press_data(first_offer.message_id, stale_accept)
    assert refused.text == t.plain("error.offer_settled")
    kept = await claim_of(bot, order.id, SECOND)
    assert kept.state == "claimed" and not kept.late_cancel and kept.cancelled_at is None
    gone = await claim_of(bot, order.id, FIRST)
    assert gone.state == "cancelled"
    async with bot.db.read() as session:
        fresh = await session.get(Order, order.id)
    assert fresh is not None and fresh.state == "filled" and fresh.taken == 1
    [place] = [m for m in second.messages if m.text and ADDRESS in m.text]
    assert place.buttons  # the place message is still the place's, with its buttons
