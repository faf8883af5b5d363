"""End to end over HTTP: a coordinator bound by id (``admin add``) who never opened the
bot cannot be written to (the sandbox, like Telegram, answers 400 "chat not found"): a
resident's request and a volunteer's registration are held for them, not lost; when they
send /start they learn, in their language, what still waits (and that the rest went out
of date), and find it in /review and /pending. A volunteer who blocked the bot is held
for the same way and gets what is still open when they unblock it. Chinese and English."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.background import wake_sender
from bot.i18n import get_translator
from bot.services.kernel.dto import OrderDTO, UserDTO
from bot.services.people.users import TelegramIdentity
from bot.services.people.volunteers import VolunteerForm
from bot.services.requests.forms import OrderForm
from bot.services.requests.publish import Publication
from sandbox import Sandbox
from storage.models import OutboxMessage, User
from tests.support.bot import ADMIN_ID, RunningBot
from tests.support.chat import shown
from tests.support.people import add_approved_volunteers

COMMUNITY = "longyang.longhudongan"
COORDINATOR_ID = 9301
RESIDENT_ID = 1301
VOLUNTEER_IDS = (2301, 2302)
BLOCKING_ID = 2401


async def eventually(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 15) -> None:
    """Until ``check`` holds (the sender runs beside the test), or fail after ``timeout``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"waited {timeout}s for {what}")
        await asyncio.sleep(0.05)


async def held_for(bot: RunningBot, chat_id: int) -> int:
    async with bot.db.read() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == "held")
            )
            or 0
        )


async def request(bot: RunningBot, resident: UserDTO, description: str) -> OrderDTO:
    community = await bot.services.org.unit_by_code(COMMUNITY)
    assert community is not None
    starts = (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)
    form = OrderForm(
        category="elderly_visit",
        description=description,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        community_id=community.id,
        address="龙湖东岸 3 栋 2 单元 401",
        contact_phone="138 0013 8000",
        helpers_requested=1,
    )
    return await bot.services.orders.create_request(resident, form)


async def registered(bot: RunningBot, sandbox: Sandbox, telegram_id: int, name: str) -> UserDTO:
    """A volunteer who registered in the chat, waiting for approval."""
    sandbox.user(telegram_id)  # they opened the bot to register
    user = await bot.services.users.touch(TelegramIdentity(telegram_id, name))
    community = await bot.services.org.unit_by_code(COMMUNITY)
    assert community is not None
    form = VolunteerForm(
        real_name=name,
        phone="138 0013 8001",
        community_id=community.id,
        grid_id=None,
        team_ids=(),
        consent=True,
    )
    await bot.services.volunteers.register(user.id, form)
    return user


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_a_coordinator_who_never_opened_the_bot_learns_what_waits_on_start(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    t = get_translator(language)
    code = "zh-hans" if language == "zh_CN" else "en"
    await bot.services.coordinators.add_admin(COORDINATOR_ID, COMMUNITY, label="cli")
    sandbox.user(RESIDENT_ID)
    resident = await bot.services.users.touch(TelegramIdentity(RESIDENT_ID, "王芳"))
    waiting = await request(bot, resident, "陪老人聊天")
    decided = await request(bot, resident, "帮忙买菜")
    volunteer = await registered(bot, sandbox, VOLUNTEER_IDS[0], "李雷")
    other = await registered(bot, sandbox, VOLUNTEER_IDS[1], "韩梅梅")
    wake_sender(bot.app)
    await eventually(
        lambda: _equals(held_for(bot, COORDINATOR_ID), 4), "four notices held for the coordinator"
    )
    tries = [r for r in sandbox.requests if r.chat_id == COORDINATOR_ID]
    assert [r.method for r in tries] == ["sendMessage"]  # then held without a send attempt

    # meanwhile the district's admin decides one request and one volunteer
    admin = await bot.services.users.get(ADMIN_ID)
    await bot.services.orders.reject(admin, decided.id, "重复")
    await bot.services.volunteers.decide(admin, other.id, True)

    coordinator = sandbox.user(COORDINATOR_ID, first_name="罗杰", language_code=code)
    await coordinator.command("/start")
    digest = await coordinator.wait_for(shown(t, "held.digest_first"), timeout=15)
    assert digest.text == "\n".join(
        [
            shown(t, "held.digest_first"),
            shown(t, "held.digest_review", count=1),
            shown(t, "held.digest_approval", count=1),
            shown(t, "held.digest_stale", count=2),
        ]
    )
    assert await held_for(bot, COORDINATOR_ID) == 0
    report = await bot.services.outbox.report()
    assert report.held == []

    await coordinator.command("/review")
    queue = await coordinator.wait_for(waiting.number)
    assert decided.number not in queue.text
    await coordinator.command("/pending")
    await coordinator.wait_for("李雷")
    texts = " ".join(m.text for m in coordinator.messages)
    assert decided.number not in texts and "韩梅梅" not in texts  # the stale ones: never sent
    assert volunteer.id != other.id


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_a_volunteer_back_from_blocking_the_bot_gets_what_is_still_open(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    t = get_translator(language)
    code = "zh-hans" if language == "zh_CN" else "en"
    community = await bot.services.org.unit_by_code(COMMUNITY)
    assert community is not None
    await add_approved_volunteers(bot.db, community.id, [BLOCKING_ID], language=language)
    away = sandbox.user(BLOCKING_ID, language_code=code)
    away.block()  # Telegram tells the bot (my_chat_member): it holds at once, tries nothing
    await eventually(lambda: _blocked(bot, BLOCKING_ID), "the volunteer marked unreachable")
    coordinator = await bot.services.coordinators.add_admin(COORDINATOR_ID, COMMUNITY, label="t")
    boss = await bot.services.users.get(coordinator.coordinator.telegram_id)
    starts = (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)

    async def published(places: int, description: str) -> OrderDTO:
        form = OrderForm(
            category="elderly_visit",
            description=description,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            community_id=community.id,
            address="龙湖东岸 3 栋 2 单元 401",
            contact_phone="138 0013 8000",
            helpers_requested=places,
        )
        return await bot.services.orders.create_activity(boss, form, Publication(places=places))

    still_open = await published(2, "重阳节活动")
    taken = await published(1, "帮忙买菜")
    wake_sender(bot.app)
    await eventually(
        lambda: _equals(held_for(bot, BLOCKING_ID), 2), "the announcements held for the volunteer"
    )
    assert not [r for r in sandbox.requests if r.chat_id == BLOCKING_ID]
    other = await registered(bot, sandbox, 2402, "韩梅梅")
    await bot.services.volunteers.decide(boss, other.id, True)
    await bot.services.claims.grab(await bot.services.users.get(2402), taken.id)

    await away.send("/start")  # unblocked (sending unblocks, as in Telegram)
    digest = await away.wait_for(shown(t, "held.digest_back"), timeout=15)
    assert shown(t, "held.digest_stale", count=1) in digest.text
    assert shown(t, "held.digest_following", count=1) in digest.text
    note = await away.wait_for(still_open.number, timeout=15)
    assert note.buttons == [[t.plain("grab.button_grab")]]
    assert taken.number not in " ".join(m.text for m in away.messages)


async def _equals(value: Awaitable[int], expected: int) -> bool:
    return await value == expected


async def _blocked(bot: RunningBot, telegram_id: int) -> bool:
    async with bot.db.read() as session:
        user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
    return user is not None and user.unreachable_reason == "blocked"
