"""End to end: a volunteer gives up a place (issue 12, item 9). "Cancel my place" asks
first, saying from when giving it up counts as late; "Keep my place" keeps it. Once
given up, the place message says so plainly — whether it counted as late — and stays
so (no congratulation with the fields hidden coming back over it); the address button
of an older /myplaces list gives the reason (the place was given up). In Chinese and
in English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.i18n import get_translator
from bot.messages.common import duration_text, local_time
from sandbox import Sandbox
from storage.models import Claim, OutboxMessage
from tests.support.bot import RunningBot
from tests.support.chat import publish_activity, shown, staff
from tests.support.services import FakeClock

COMMUNITY = "longyang.longhudongan"
COORDINATOR_ID = 9501
VOLUNTEER_ID = 2501
ADDRESS = "龙湖东岸 5 栋 2 单元 202"
NOW = datetime.now(UTC).replace(second=0, microsecond=0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def bot(bot_on_clock: RunningBot) -> RunningBot:
    return bot_on_clock


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_giving_up_asks_first_and_the_place_message_says_it_was_given_up(
    bot: RunningBot, sandbox: Sandbox, clock: FakeClock, language: str
) -> None:
    t = get_translator(language)
    code = "zh-hans" if language == "zh_CN" else "en"
    services = bot.services
    zone = services.claims.timezone
    await staff(bot, COMMUNITY, COORDINATOR_ID, (VOLUNTEER_ID,), language)
    starts = NOW + timedelta(days=2)
    order = await publish_activity(
        bot, COORDINATOR_ID, COMMUNITY, starts, places=1, address=ADDRESS, hours=2
    )
    number = order.number
    v = sandbox.user(VOLUNTEER_ID, language_code=code)
    grab = t.plain("grab.button_grab")
    await v.wait_for(number, predicate=lambda m: any(grab in row for row in m.buttons))
    await v.press(grab)
    place = await v.wait_for(ADDRESS)
    await v.command("/myplaces")
    contact = t.plain("attendance.button_contact", number=number)
    places = await v.wait_for(number, predicate=lambda m: any(contact in r for r in m.buttons))

    # --- it asks first, saying from when it would count as late; "keep" keeps it --------
    cancel, yes = t.plain("grab.button_cancel_place"), t.plain("grab.button_confirm_cancel")
    await v.press(cancel, message=place)
    late_from = local_time(starts - services.claims.cancel_cutoff, zone)
    two_hours = duration_text(t, 2)
    asked = await v.wait_for(shown(t, "grab.ask_cancel_free", span=two_hours, late_from=late_from))
    assert shown(t, "grab.ask_cancel", number=number, start=local_time(starts, zone),
                 end=local_time(starts + timedelta(hours=2), zone)) in asked.text  # fmt: skip
    assert asked.message_id != place.message_id
    assert asked.buttons == [[yes, t.plain("grab.button_keep_place")]]
    await v.press(t.plain("grab.button_keep_place"), message=asked)
    await v.wait_for(shown(t, "grab.place_kept", number=number))
    async with bot.db.read() as session:
        claim = await session.scalar(select(Claim).where(Claim.order_id == order.id))
    assert claim is not None and claim.state == "claimed"
    [unchanged] = [m for m in v.messages if m.message_id == place.message_id]
    assert ADDRESS in unchanged.text and not unchanged.edited

    # --- within the cut-off: it says that giving it up now counts as late ---------------
    clock.advance(seconds=(starts - timedelta(hours=1) - clock.now()).total_seconds())
    await v.press(cancel, message=place)
    asked = await v.wait_for(shown(t, "grab.ask_cancel_late", span=two_hours))
    await v.press(yes, message=asked)
    await v.wait_for(shown(t, "grab.cancelled_late", number=number))

    # --- the place message: given up, counted as late; and it stays so ------------------
    given_up = shown(
        t,
        "grab.place_given_up_late",
        number=number,
        start=local_time(starts, zone),
        end=local_time(starts + timedelta(hours=2), zone),
    )
    now = await v.wait_for(given_up, predicate=lambda m: m.message_id == place.message_id)
    assert ADDRESS not in now.text and now.buttons == []
    async with bot.db.read() as session:  # every edit of it ever queued: that one alone
        queued = [
            row
            for row in await session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == "edit")
            )
            if row.payload.get("edit_message_id") == place.message_id
        ]
    assert len(queued) == 1
    edits = [
        e.message.content
        for e in sandbox.world.events
        if e.kind == "edited" and e.message is not None and e.message_id == place.message_id
    ]
    assert edits == [given_up]  # one edit: never the congratulation again

    # --- the address of the given-up place, from the older /myplaces list ---------------
    refused = await v.press(contact, message=places)
    assert refused.show_alert and refused.text == t.plain("error.place_given_up")
