"""End to end: what a grab answers, and where (issue 12, items 5, 6 and 13).

- Someone who is not an approved volunteer learns nothing about an order from a
  (forged) grab: no "all taken", no waitlist button added to their message (item 5).
- A grab from the /orders list leaves the list as it was: "all taken" and the waitlist
  come in a message of their own (item 6).
- An order is for its community's volunteers (or its street's): /orders lists only
  what the volunteer may take, and a grab of another community's order is refused,
  saying whose it is (item 13).

In Chinese and in English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.i18n import get_translator
from bot.services.kernel.dto import OrderDTO
from sandbox import Sandbox
from sandbox.chat_view import BotMessage
from tests.support.bot import RunningBot
from tests.support.chat import publish_activity, shown
from tests.support.people import add_approved_volunteers

COMMUNITY = "longyang.longhudongan"
OTHER_COMMUNITY = "yongfeng.longmo"  # another street
COORDINATOR_ID, OTHER_COORDINATOR_ID = 9601, 9602
HOLDER, VOLUNTEER, STRANGER, FAR = 2601, 2602, 2603, 2604
ADDRESS = "龙湖东岸 2 栋 1 单元 301"


def days_ahead(days: int) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(second=0, microsecond=0)


async def publish(
    bot: RunningBot, coordinator: int, community: str, places: int, days: int, scope: str
) -> OrderDTO:
    return await publish_activity(
        bot,
        coordinator,
        community,
        days_ahead(days),
        places=places,
        address=ADDRESS,
        scope=scope,
        category="shopping",
        description="代购",
    )


def edits_of(sandbox: Sandbox, message: BotMessage) -> list[str]:
    return [
        e.message.content
        for e in sandbox.world.events
        if e.kind == "edited"
        and e.message is not None
        and e.chat_id == message.chat_id
        and e.message_id == message.message_id
    ]


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_grab_answers_say_nothing_to_outsiders_and_leave_lists_alone(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    t = get_translator(language)
    code = "zh-hans" if language == "zh_CN" else "en"
    await bot.services.coordinators.add_admin(COORDINATOR_ID, COMMUNITY, label="test")
    await bot.services.coordinators.add_admin(OTHER_COORDINATOR_ID, OTHER_COMMUNITY, label="t")
    for community, tids in ((COMMUNITY, (HOLDER, VOLUNTEER)), (OTHER_COMMUNITY, (FAR,))):
        unit = await bot.services.org.unit_by_code(community)
        assert unit is not None
        await add_approved_volunteers(bot.db, unit.id, tids, language=language)
    holder, volunteer, far_volunteer = (
        sandbox.user(tid, language_code=code) for tid in (HOLDER, VOLUNTEER, FAR)
    )
    full = await publish(bot, COORDINATOR_ID, COMMUNITY, 1, 2, "community")
    street_wide = await publish(bot, COORDINATOR_ID, COMMUNITY, 3, 3, "street")
    far = await publish(bot, OTHER_COORDINATOR_ID, OTHER_COMMUNITY, 3, 4, "community")
    grab = t.plain("grab.button_grab")

    # --- item 13: /orders lists only what the volunteer may take --------------------------
    await volunteer.command("/orders")
    listing = await volunteer.wait_for(
        shown(t, "orders.list_title", total=2, page=1, pages=1), timeout=15
    )
    assert full.number in listing.text and street_wide.number in listing.text
    assert far.number not in listing.text
    tabs = [f"• {t.plain('orders.tab_community')}", t.plain("orders.tab_street")]
    assert listing.buttons[0] == tabs
    await volunteer.press(t.plain("orders.tab_street"), message=listing)
    street = await volunteer.wait_for(shown(t, "orders.list_title", total=2, page=1, pages=1))
    assert far.number not in street.text
    tab_switch = edits_of(sandbox, street)  # the street tab, in the same message
    theirs = await far_volunteer.wait_for(far.number, timeout=15)  # their own announcement
    refused = await far_volunteer.press_data(theirs.message_id, f"gr:{full.id}")  # forged
    community = await bot.services.org.unit_by_code(COMMUNITY)
    assert community is not None and community.parent_id is not None
    whose = t.plain("grab.outside_area", area=community.name(language))
    assert refused.show_alert and refused.text == whose
    refused = await far_volunteer.press_data(theirs.message_id, f"gr:{street_wide.id}")
    street_unit = await bot.services.org.unit(community.parent_id)
    assert street_unit is not None
    assert refused.text == t.plain("grab.outside_area", area=street_unit.name(language))
    assert edits_of(sandbox, theirs) == []

    announced = await holder.wait_for(full.number, timeout=15)
    await holder.press(grab, message=announced)  # the order is full now
    await holder.wait_for(ADDRESS)

    # --- item 5: someone who never registered learns nothing about the order ----------
    stranger = sandbox.user(STRANGER, first_name="Mallory", language_code=code)
    await stranger.command("/start")
    welcome = await stranger.next_reply()
    before = len(stranger.messages)
    refused = await stranger.press_data(welcome.message_id, f"gr:{full.id}")
    assert refused.show_alert and refused.text == t.plain("error.not_allowed")
    refused = await stranger.press_data(welcome.message_id, f"gw:{full.id}")
    assert refused.text == t.plain("error.not_allowed")
    assert edits_of(sandbox, welcome) == [] and len(stranger.messages) == before

    # --- item 6: a grab from the list leaves the list as it was -------------------------
    full_answer = await volunteer.press(
        t.plain("orders.button_grab", number=full.number), message=street
    )
    assert full_answer.text == t.plain("error.slots_full")
    note = await volunteer.wait_for(shown(t, "grab.full"))
    assert note.message_id != street.message_id
    assert note.buttons == [[t.plain("grab.button_join_waitlist")]]
    await volunteer.press(t.plain("grab.button_join_waitlist"), message=note)
    waitlisted = await volunteer.wait_for(shown(t, "grab.waitlisted", number=full.number))
    assert waitlisted.message_id == note.message_id and waitlisted.buttons == []
    got = await volunteer.press(
        t.plain("orders.button_grab", number=street_wide.number), message=street
    )
    assert got.text == t.plain("grab.got_alert", number=street_wide.number)
    place = await volunteer.wait_for(ADDRESS)
    assert place.message_id != street.message_id
    assert edits_of(sandbox, street) == tab_switch  # the list, untouched since
