"""Through the bot and the sandbox, with the injectable clock: a volunteer grabs a place
and sees the resident's address and phone; 24 h before the start they are reminded
(with the cancel button, without the address) and the requester is told who is coming;
after the service plus ``hide_contact_after_hours`` the place message, as the sandbox
keeps it, no longer shows the address or the phone, nor any button."""

from __future__ import annotations

from sqlalchemy import select

from bot.i18n import get_translator
from bot.jobs.kinds import JobContext, default_registry
from bot.jobs.runner import JobRunner
from storage.models import ContactReveal
from tests.handlers.conftest import Harness
from tests.support.orders import activity, boss, volunteers

ZH = get_translator("zh_CN")
ADDRESS = "龙湖东岸 3 栋 2 单元 401"
PHONE = "+8613800138000"


async def run_due_jobs(harness: Harness) -> None:
    services = harness.services
    await JobRunner(
        harness.db, harness.clock, default_registry(), JobContext(harness.clock, services)
    ).tick()
    await harness.deliver()


async def test_reminded_then_the_address_is_hidden(harness: Harness) -> None:
    services, clock = harness.services, harness.clock
    coordinator = await boss(services)
    (account,) = await volunteers(harness.db, harness.org, 1)
    order = await activity(services, harness.org, places=1, actor=coordinator)
    volunteer = harness.person(account.telegram_id)
    harness.person(coordinator.telegram_id)
    await harness.deliver()  # the announcement, with its Grab button

    replies = await volunteer.press(ZH.plain("grab.button_grab"))
    [place] = [m for m in replies if ADDRESS in (m.text or "")]
    assert PHONE in (place.text or "") and place.buttons
    async with harness.db.read() as session:
        reveal = await session.scalar(select(ContactReveal))
    assert reveal is not None
    assert (reveal.chat_id, reveal.message_id) == (account.telegram_id, place.message_id)

    clock.advance(hours=24)  # 24 h before the start
    await run_due_jobs(harness)
    [reminder] = [
        m
        for m in volunteer.chat_view.messages
        if ZH.raw("reminder.told").split("\n")[0] in (m.html or "")
    ]
    assert order.number in (reminder.text or "") and ADDRESS not in (reminder.text or "")
    assert reminder.buttons == [[ZH.plain("grab.button_cancel_place")]]
    told = harness.sandbox.user(coordinator.telegram_id).messages
    assert any(f"志愿者{account.telegram_id}" in (m.text or "") for m in told)

    clock.advance(hours=24 + 2 + 24)  # the end of the service + 24 h
    await run_due_jobs(harness)
    [now] = [m for m in volunteer.chat_view.messages if m.message_id == place.message_id]
    text = now.text or ""
    assert now.edited and order.number in text
    assert ADDRESS not in text and PHONE not in text and ZH.raw("contact.hidden") in text
    assert now.buttons == []
    assert all(ADDRESS not in (m.text or "") for m in volunteer.chat_view.messages)
