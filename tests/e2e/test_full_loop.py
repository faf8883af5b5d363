"""The whole order loop end to end over HTTP, on the bot's injectable clock, in Chinese
and in English: a resident requests help in the chat (点单), the community's
coordinator is told and publishes it (发单), three volunteers grab two places (接单:
the third joins the waitlist), guidance is confirmed (培训指导), the reminders come
24 h and 2 h before the start, a volunteer cancels from the reminder and the
waitlisted one is offered the place and takes it, both check in and out (实践服务),
the resident confirms and the order completes; a day later the address and phone
are edited out of the volunteers' place messages. Every party is told at every step,
and across the whole run the resident's phone and address reach no one else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.i18n import Translator, get_translator
from sandbox import Sandbox
from sandbox.chat_view import BotMessage
from sandbox.users import SandboxUser
from storage.models import Claim, Order, User
from tests.e2e.test_request import orders_of, resident
from tests.support.bot import RunningBot
from tests.support.chat import (
    approve_in_chat,
    give_up_place,
    order_secrets,
    private_leaks,
    prompt,
    shown,
)
from tests.support.people import add_approved_volunteers
from tests.support.services import FakeClock

ZONE = ZoneInfo("Asia/Shanghai")
COMMUNITY = "longyang.longhudongan"
COORDINATOR_ID = 9301
RESIDENT_ID = 1301
HELPERS = (2301, 2302, 2303)
BYSTANDER = 2304  # an approved volunteer of the community who only sees the announcement
DESCRIPTION = "陪张奶奶聊天 <b>& 🙂"
ADDRESS = "龙湖东岸 7 栋 3 单元 502"
PHONE = "+8613800138000"
GUIDANCE = "Bring a shopping bag"
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
STARTS = datetime.combine(
    NOW.astimezone(ZONE).date() + timedelta(days=3), datetime.min.time(), ZONE
) + timedelta(hours=14)
ENDS = STARTS + timedelta(hours=2)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def bot(bot_on_clock: RunningBot) -> RunningBot:
    return bot_on_clock


async def at(bot: RunningBot, clock: FakeClock, moment: datetime) -> None:
    """Move the bot's clock to ``moment`` and run what fell due, as the ticker would."""
    clock.advance(seconds=(moment - clock.now()).total_seconds())
    await bot.run_due_jobs()


async def told(user: SandboxUser, t: Translator, key: str, number: str) -> BotMessage:
    """The next message to ``user`` about order ``number`` that reads as ``key``."""
    start = prompt(t, key)
    return await user.wait_for(number, predicate=lambda m: start in m.text, timeout=15)


def with_button(label: str) -> Callable[[BotMessage], bool]:
    return lambda m: any(label in row for row in m.buttons)


async def now_reads(sandbox: Sandbox, user: SandboxUser, message_id: int, absent: str) -> str:
    """The message as it is now, once ``absent`` is gone from it (edits come through
    the outbox, at their own pace)."""

    def current() -> str:
        [message] = [m for m in user.messages if m.message_id == message_id]
        return message.text

    assert await sandbox.world.signal.wait_until(lambda: absent not in current(), 15), current()
    return current()


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_the_whole_loop(
    bot: RunningBot, sandbox: Sandbox, clock: FakeClock, language: str
) -> None:
    t = get_translator(language)
    code = "zh-hans" if language == "zh_CN" else "en"
    services = bot.services
    await services.coordinators.add_admin(COORDINATOR_ID, COMMUNITY, label="test")
    community = await services.org.unit_by_code(COMMUNITY)
    assert community is not None
    await add_approved_volunteers(
        bot.db,
        community.id,
        (*HELPERS, BYSTANDER),
        language=language,
        real_name=lambda tid: f"志愿者{tid}",
    )
    coordinator = sandbox.user(COORDINATOR_ID, first_name="罗杰", language_code=code)
    v1, v2, v3, bystander = (sandbox.user(tid, language_code=code) for tid in (*HELPERS, BYSTANDER))

    # --- 1 点单: the resident asks for help in the chat ---------------------------------
    r = await resident(bot, sandbox, RESIDENT_ID, code)
    await r.command("/request")
    await r.wait_for(prompt(t, "request.ask_category"))
    kind = await services.org.category("elderly_visit")
    assert kind is not None
    await r.press(kind.name(language))
    await r.wait_for(prompt(t, "request.ask_description"))
    await r.send(DESCRIPTION)
    await r.wait_for(prompt(t, "request.ask_day"))
    await r.send(f"{STARTS.date().isoformat()} 14:00-16:00")
    await r.wait_for(prompt(t, "request.ask_place"))
    await r.send(ADDRESS)
    await r.wait_for(prompt(t, "ask.phone"))
    await r.send("138 0013 8000")
    await r.wait_for(prompt(t, "request.ask_helpers"))
    await r.press("2")
    await r.wait_for(prompt(t, "request.ask_behalf"))
    await r.press(t.plain("request.button_for_me"))
    await r.wait_for(prompt(t, "request.summary"))
    await r.press(t.plain("request.button_submit"))
    created = await r.wait_for(prompt(t, "request.created"))
    [order] = await orders_of(bot, RESIDENT_ID)
    number = order.number
    assert number is not None and number in created.text
    assert (order.starts_at, order.ends_at, order.contact_phone) == (STARTS, ENDS, PHONE)

    # --- 2 发单: the coordinator is told, reviews and publishes ---------------------------
    await coordinator.wait_for(number, timeout=15)
    await approve_in_chat(coordinator, t, number, 2, GUIDANCE, services.orders.default_rate)
    await told(r, t, "order.told_published", number)

    # --- 3 接单: three volunteers, two places ----------------------------------------------
    grab = t.plain("grab.button_grab")
    for v in (v1, v2, v3, bystander):
        note = await v.wait_for(number, predicate=with_button(grab), timeout=15)
        assert ADDRESS not in note.text and PHONE not in note.text
    assert (await v1.press(grab)).text == t.plain("grab.got_alert", number=number)
    place1 = await v1.wait_for(ADDRESS)
    assert GUIDANCE in place1.text and PHONE in place1.text
    assert (await v2.press(grab)).text == t.plain("grab.got_alert", number=number)
    place2 = await v2.wait_for(ADDRESS)
    full = await v3.press(grab)
    assert full.show_alert and full.text == t.plain("error.slots_full")
    join = t.plain("grab.button_join_waitlist")
    offered_waitlist = await v3.wait_for(predicate=with_button(join))
    await v3.press(join, message=offered_waitlist)
    await v3.wait_for(shown(t, "grab.waitlisted", number=number))
    await told(r, t, "order.told_filled", number)

    # --- 4 培训指导: v1 confirms the guidance ----------------------------------------------
    read = t.plain("grab.button_guidance_read")
    await v1.press(read, message=place1)
    await v1.wait_for(ADDRESS, predicate=lambda m: not with_button(read)(m))

    # --- 5 reminders 24 h before: the holders, with the cancel button; who is coming ------
    await at(bot, clock, STARTS - timedelta(hours=24))
    cancel = t.plain("grab.button_cancel_place")
    reminder1 = await told(v1, t, "reminder.told", number)
    reminder2 = await told(v2, t, "reminder.told", number)
    for reminder in (reminder1, reminder2):
        assert with_button(cancel)(reminder) and ADDRESS not in reminder.text
    coming = await told(r, t, "reminder.coming", number)
    assert "志愿者2301" in coming.text and "志愿者2302" in coming.text

    # v2 cancels from the reminder: the resident is told, v3 is offered the place
    await give_up_place(v2, t, reminder2)  # it asks first
    await v2.wait_for(shown(t, "grab.cancelled", number=number))
    await told(r, t, "order.told_volunteer_cancelled", number)
    offer = await told(v3, t, "claim.told_offered", number)
    await v3.press(t.plain("button.accept_offer"), message=offer)
    place3 = await v3.wait_for(ADDRESS)

    # --- 2 h before: the holders now; the resident told again, the list changed --------
    await at(bot, clock, STARTS - timedelta(hours=2))
    await told(v1, t, "reminder.told", number)
    await told(v3, t, "reminder.told", number)
    coming = await told(r, t, "reminder.coming", number)
    assert "志愿者2303" in coming.text and "志愿者2302" not in coming.text

    # --- 6 实践服务: check in 10 minutes before, the start, check out at the end ------------
    check_in = t.plain("attendance.button_check_in", number=number)
    check_out = t.plain("attendance.button_check_out", number=number)
    await at(bot, clock, STARTS - timedelta(minutes=10))
    for v in (v1, v3):
        await v.command("/myplaces")
        await v.wait_for(number, predicate=with_button(check_in))
        assert (await v.press(check_in)).text == t.plain(
            "attendance.checked_in_alert", number=number
        )
        await v.wait_for(shown(t, "attendance.ask_location_or_skip"))
        await v.press(t.plain("button.skip"))
        await v.wait_for(shown(t, "attendance.location_skipped"))
    await at(bot, clock, STARTS)
    await told(r, t, "order.told_in_service", number)
    await at(bot, clock, ENDS)
    for v in (v1, v3):
        await v.command("/myplaces")
        await v.wait_for(number, predicate=with_button(check_out))
        await v.press(check_out)
        await v.wait_for(
            shown(t, "attendance.checked_out", 130, number=number, minutes=130, hours="2.17")
        )

    # --- completion: the resident confirms; everyone is told -----------------------------
    ask = await told(r, t, "order.ask_confirm_service", number)
    await r.press(t.plain("order.button_confirm_service"), message=ask)
    await r.wait_for(shown(t, "attendance.completed", number=number))
    for v in (v1, v3):
        await told(v, t, "attendance.told_completed", number)

    async with bot.db.read() as s:
        stored = await s.get(Order, order.id)
        ids = dict((await s.execute(select(User.telegram_id, User.id))).all())
        claims = {c.volunteer_id: c for c in await s.scalars(select(Claim))}
    assert stored is not None and stored.state == "completed"
    one, two, three = (claims[ids[tid]] for tid in HELPERS)
    assert (one.state, one.minutes, one.guidance_confirmed_at is not None) == ("done", 130, True)
    assert (two.state, two.late_cancel) == ("cancelled", False)
    assert (three.state, three.minutes) == ("done", 130)
    assert ids[BYSTANDER] not in claims

    # --- a day after the end: the address and phone are edited out of the place messages -
    await at(bot, clock, ENDS + timedelta(hours=24))
    for v, place in ((v1, place1), (v2, place2), (v3, place3)):
        text = await now_reads(sandbox, v, place.message_id, ADDRESS)
        assert PHONE not in text and number in text

    # --- privacy: across everything the sandbox saw ---------------------------------------
    entitled = {RESIDENT_ID, COORDINATOR_ID, *HELPERS}
    assert order_secrets(stored) == (ADDRESS, PHONE)
    assert private_leaks(sandbox, order_secrets(stored), entitled) == []
