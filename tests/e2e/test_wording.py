"""End to end over HTTP: the words people read — counts in the right grammatical
number, in Chinese and in English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.i18n import get_translator
from bot.messages.common import local_time
from bot.services.people.users import TelegramIdentity
from bot.services.requests.forms import OrderForm
from bot.services.requests.publish import Publication
from sandbox import Sandbox
from tests.support.bot import ADMIN_ID, RunningBot
from tests.support.chat import shown
from tests.support.people import add_approved_volunteers

COMMUNITY = "longyang.longhudongan"
RESIDENT_ID = 1001
VOLUNTEER_ID = 2001


def telegram_code(language: str) -> str:
    return "zh-hans" if language == "zh_CN" else "en"


async def published(bot: RunningBot, language: str, places: int, day: int) -> tuple[str, str]:
    """A request of the resident, published with ``places`` places: (number, start)."""
    resident = await bot.services.users.touch(
        TelegramIdentity(RESIDENT_ID, first_name="王芳", language_code=telegram_code(language))
    )
    community = await bot.services.org.unit_by_code(COMMUNITY)
    assert community is not None
    starts = (datetime.now(UTC) + timedelta(days=day)).replace(second=0, microsecond=0)
    form = OrderForm(
        category="elderly_visit",
        description="陪老人聊天",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        community_id=community.id,
        address="龙湖东岸 3 栋",
        contact_phone="13800138000",
        helpers_requested=places,
    )
    order = await bot.services.orders.create_request(resident, form)
    admin = await bot.services.users.get(ADMIN_ID)
    await bot.services.orders.approve(admin, order.id, Publication(places=places))
    assert order.number is not None
    return order.number, local_time(starts, bot.services.orders.timezone)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_counts_take_the_languages_plural_forms(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    """One place is "1 place", two are "2 places" (Chinese has one form for both): in
    the resident's "published" notice and in the volunteer's /orders."""
    t = get_translator(language)
    community = await bot.services.org.unit_by_code(COMMUNITY)
    assert community is not None
    await add_approved_volunteers(bot.db, community.id, [VOLUNTEER_ID], language=language)
    resident = sandbox.user(RESIDENT_ID, first_name="王芳", language_code=telegram_code(language))
    one, one_start = await published(bot, language, 1, 2)
    two, two_start = await published(bot, language, 2, 3)

    told_one = await resident.wait_for(one, timeout=15)
    told_two = await resident.wait_for(two, timeout=15)
    assert told_one.text == shown(t, "order.told_published", 1, number=one, places=1,
                                  start=one_start)  # fmt: skip
    assert told_two.text == shown(t, "order.told_published", 2, number=two, places=2,
                                  start=two_start)  # fmt: skip

    volunteer = sandbox.user(VOLUNTEER_ID, first_name="V", language_code=telegram_code(language))
    await volunteer.command("/orders")
    listing = await volunteer.wait_for(predicate=lambda m: one in m.text and two in m.text)
    if language == "en":
        assert "1 volunteer place," in told_one.text and "2 volunteer places," in told_two.text
        assert "0 of 1 place taken" in listing.text and "0 of 2 places taken" in listing.text
        assert "(s)" not in told_one.text + told_two.text
    else:
        assert "1 个志愿者名额" in told_one.text and "2 个志愿者名额" in told_two.text
        assert "已接 0/1 个名额" in listing.text and "已接 0/2 个名额" in listing.text
