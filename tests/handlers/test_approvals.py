"""/pending and the approve/decline buttons, through the bot."""

from __future__ import annotations

import re

from bot.i18n import get_translator
from bot.services.people.volunteers import PAGE_SIZE
from tests.handlers.conftest import Harness
from tests.support.services import COMMUNITY, OTHER_COMMUNITY, form

EN = get_translator("en")


async def register(harness: Harness, telegram_id: int, community: str = COMMUNITY) -> int:
    person = harness.person(telegram_id, f"V{telegram_id}", "en")
    await person.send("hi")  # has started the bot
    user = await harness.services.users.get(telegram_id)
    harness.clock.advance(minutes=1)
    unit = harness.org[community]
    await harness.services.volunteers.register(
        user.id,
        form(harness.org, community_id=unit.id, grid_id=None, real_name=f"V{telegram_id}"),
    )
    return user.id


def numbers(html_text: str | None) -> list[int]:
    return [int(n) for n in re.findall(r"<b>(\d+)\.</b>", html_text or "")]


async def test_pending_pages_are_numbered_on(harness: Harness) -> None:
    for n in range(PAGE_SIZE + 2):
        await register(harness, 1000 + n)
    boss = harness.person(2001, "Luo", "en")
    await harness.services.coordinators.add_admin(2001, COMMUNITY, label="test")

    [first] = await boss.send("/pending")
    assert first.html is not None
    assert first.html.startswith(EN("approval.list_title", total=7, page=1, pages=2))
    assert numbers(first.html) == [1, 2, 3, 4, 5]
    assert first.buttons[-1] == ["▶"]

    [second] = await boss.press("▶", first)
    assert second.edited and second.message_id == first.message_id
    assert second.html is not None
    assert second.html.startswith(EN("approval.list_title", total=7, page=2, pages=2))
    assert second.buttons[-1] == ["◀"]
    assert numbers(second.html) == [6, 7]  # the list goes on, it does not restart


async def test_approve_from_the_list_tells_the_volunteer(harness: Harness) -> None:
    volunteer_id = await register(harness, 1001)
    boss = harness.person(2001, "Luo", "en")
    await harness.services.coordinators.add_admin(2001, COMMUNITY, label="test")
    [listing] = await boss.send("/pending")

    replies = await boss.press(EN.plain("button.approve_name", name="V1001"), listing)

    assert boss.answer is not None and boss.answer.text == EN.plain(
        "approval.approved", name="V1001"
    )
    assert replies[0].html is not None
    assert replies[0].html.startswith(EN("approval.approved", name="V1001"))
    volunteer = harness.sandbox.user(1001)
    assert (await harness.deliver()).sent == 1  # the volunteer's notice, via the outbox
    assert volunteer.messages[-1].html == (
        EN("volunteer.told_approved", name="V1001") + "\n" + EN("volunteer.next_steps")
    )
    profile = await harness.services.volunteers.profile(volunteer_id)
    assert profile is not None and profile.status == "approved"


async def test_a_press_outside_ones_unit_is_refused(harness: Harness) -> None:
    """Callback data is never trusted: a coordinator of another community pressing
    (or forging) an approve button is refused and nothing changes."""
    volunteer_id = await register(harness, 1001)
    await harness.services.coordinators.add_admin(2001, COMMUNITY, label="test")
    outsider = harness.person(2002, "Out", "en")
    await harness.services.coordinators.add_admin(2002, OTHER_COMMUNITY, label="test")
    [listing] = await outsider.send("/pending")
    assert listing.html == EN("approval.none")

    replies = await outsider.process(outsider.press_update_data(listing, f"va:{volunteer_id}:1"))

    assert replies == []
    assert outsider.answer is not None and outsider.answer.show_alert
    assert outsider.answer.text == EN.plain("error.not_in_scope")
    profile = await harness.services.volunteers.profile(volunteer_id)
    assert profile is not None and profile.status == "pending"


async def test_a_second_decision_is_refused_kindly(harness: Harness) -> None:
    await register(harness, 1001)
    first, second = harness.person(2001, "A", "en"), harness.person(2002, "B", "en")
    await harness.services.coordinators.add_admin(2001, COMMUNITY, label="test")
    await harness.services.coordinators.add_admin(2002, COMMUNITY, label="test")
    [a_list] = await first.send("/pending")
    [b_list] = await second.send("/pending")

    await first.press(EN.plain("button.approve_name", name="V1001"), a_list)
    await second.press(EN.plain("button.decline_name", name="V1001"), b_list)

    assert second.answer is not None and second.answer.show_alert
    assert second.answer.text == EN.plain("error.already_decided")
