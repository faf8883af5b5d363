"""End to end over HTTP: registering, approving and appointing people, as they meet it
in the chat, in Chinese and in English."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import select

from bot.i18n import Translator, get_translator
from bot.services.people.users import TelegramIdentity
from bot.services.people.volunteers import VolunteerForm
from sandbox import Sandbox
from sandbox.chat_view import BotMessage
from sandbox.users import SandboxUser
from storage.models import VolunteerProfile
from tests.support.bot import ADMIN_ID, RunningBot
from tests.support.chat import shown

LANGUAGES = ["zh_CN", "en"]
COMMUNITY = "longyang.longhudongan"
COORDINATOR_ID = 9101


def telegram_code(language: str) -> str:
    return "zh-hans" if language == "zh_CN" else "en"


def with_button(label: str) -> Callable[[BotMessage], bool]:
    return lambda m: any(label in row for row in m.buttons)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_self_appointment_has_its_own_reason_and_asks_again(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    """A coordinator typing their own id is told they cannot appoint themselves, and the
    flow is back at "whom?" (so /start resumes that question, not a dead confirmation);
    the confirmation names the person appointed, not their Telegram id."""
    t = get_translator(language)
    future = sandbox.user(3001, first_name="罗杰", language_code=telegram_code(language))
    await future.command("/start")
    await future.wait_for(shown(t, "start.welcome", name="罗杰")[:6])
    admin = sandbox.user(ADMIN_ID, first_name="Admin", language_code=telegram_code(language))
    await admin.command("/coordinators")
    await admin.wait_for(shown(t, "coord.title", unit="")[:4])
    await admin.press(t.plain("button.appoint"))

    await admin.wait_for(shown(t, "appoint.ask_who"))
    await admin.send(str(ADMIN_ID))
    await admin.wait_for(shown(t, "invalid.who.self"))
    await admin.wait_for(shown(t, "appoint.ask_who"))  # the question again
    await admin.command("/start")
    await admin.wait_for(shown(t, "flow.resuming"))
    await admin.wait_for(shown(t, "appoint.ask_who"))

    await admin.send("3001")
    await admin.wait_for(shown(t, "appoint.who_ok", name="罗杰"))
    await admin.wait_for(shown(t, "appoint.ask_unit"))
    street = await bot.services.org.unit_by_code("longyang")
    assert street is not None
    await admin.press(street.name(language))
    expected = shown(t, "appoint.confirm", who="罗杰", unit=street.name(language))
    confirm = await admin.wait_for(expected)
    assert "3001" not in confirm.text
    await admin.press(t.plain("button.confirm"))
    await admin.wait_for(shown(t, "appoint.done", name="罗杰", unit=street.name(language)))
    told = await future.wait_for(shown(t, "appoint.told", unit=street.name(language))[:8])
    if language == "zh_CN":
        assert f"您已被任命为{street.name_zh}的协调员" in told.text  # no spaces around it


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_cancel_button_of_a_reply_keyboard_question_leaves_the_flow(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    """The phone question is one message; its back and cancel are on its keyboard (a
    message has one reply_markup: the contact button's reply keyboard)."""
    t = get_translator(language)
    v = sandbox.user(2001, first_name="Ann", language_code=telegram_code(language))
    await v.command("/start")
    await v.wait_for(predicate=with_button(t.plain("home.become_volunteer")))
    await v.press(t.plain("home.become_volunteer"))
    await v.wait_for(shown(t, "ask.name"))
    await v.send("Ann Lee")
    ask = await v.wait_for(shown(t, "ask.phone"))
    assert v.reply_keyboard is not None
    assert v.reply_keyboard[0] == [t.plain("button.share_phone")]
    assert v.reply_keyboard[1] == [t.plain("button.back"), t.plain("button.cancel")]
    await v.tap(t.plain("button.back"))
    again = await v.wait_for(shown(t, "ask.name"))
    between = [m.text for m in v.messages if ask.message_id < m.message_id < again.message_id]
    assert between == []  # nothing else asked the same question
    await v.send("Ann Lee")
    await v.wait_for(shown(t, "ask.phone"))
    await v.tap(t.plain("button.cancel"))
    await v.wait_for(shown(t, "flow.cancelled"))
    assert await bot.services.flows.get((await bot.services.users.get(2001)).id) is None

    # the same for "whom to appoint?" (Telegram's "choose a user" button)
    admin = sandbox.user(ADMIN_ID, first_name="Admin", language_code=telegram_code(language))
    await admin.command("/coordinators")
    await admin.wait_for(predicate=with_button(t.plain("button.appoint")))
    await admin.press(t.plain("button.appoint"))
    ask = await admin.wait_for(shown(t, "appoint.ask_who"))
    assert admin.reply_keyboard == [[t.plain("button.choose_user")], [t.plain("button.cancel")]]
    await admin.tap(t.plain("button.cancel"))
    done = await admin.wait_for(shown(t, "flow.cancelled"))
    between = [m.text for m in admin.messages if ask.message_id < m.message_id < done.message_id]
    assert between == []


async def street_and_community(bot: RunningBot, language: str) -> tuple[str, str]:
    community = await bot.services.org.unit_by_code(COMMUNITY)
    assert community is not None and community.parent_id is not None
    street = await bot.services.org.unit(community.parent_id)
    assert street is not None
    return street.name(language), community.name(language)


async def register(
    bot: RunningBot,
    v: SandboxUser,
    t: Translator,
    name: str,
    give_phone: Callable[[], Awaitable[object]],
) -> None:
    """``v`` registers as a volunteer of 龙湖东岸社区, giving the phone with ``give_phone``."""
    street, community = await street_and_community(bot, t.language)
    await v.command("/start")
    await v.wait_for(predicate=with_button(t.plain("home.become_volunteer")))
    await v.press(t.plain("home.become_volunteer"))
    await v.wait_for(shown(t, "ask.name"))
    await v.send(name)
    await v.wait_for(shown(t, "ask.phone"))
    await give_phone()
    await v.wait_for(shown(t, "ask.street"))
    await v.press(street)
    await v.wait_for(shown(t, "ask.community"))
    await v.press(community)
    await v.wait_for(shown(t, "ask.grid"))
    await v.press(t.plain("button.skip"))
    await v.wait_for(shown(t, "ask.teams"))
    await v.press(t.plain("button.done"))
    await v.wait_for(predicate=with_button(t.plain("button.agree")))
    await v.press(t.plain("button.agree"))
    await v.wait_for(predicate=with_button(t.plain("button.confirm")))
    await v.press(t.plain("button.confirm"))
    await v.wait_for(shown(t, "volunteer.pending", name=name))


@pytest.mark.parametrize("language", LANGUAGES)
async def test_coordinators_see_whether_telegram_verified_a_phone(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    """The contact button shares the sender's own card (with their user id): verified.
    A card without a user id (someone's phone-book entry) is accepted as typed — not
    verified — and the coordinator sees which on the approval card and in /pending; the
    volunteer sees it in /me."""
    t = get_translator(language)
    code = telegram_code(language)
    await bot.services.coordinators.add_admin(COORDINATOR_ID, COMMUNITY, label="test")
    coordinator = sandbox.user(COORDINATOR_ID, first_name="罗杰", language_code=code)
    await coordinator.command("/start")
    await coordinator.wait_for(shown(t, "home.coordinator_of", unit="")[:3])

    own = sandbox.user(2001, first_name="Ann", language_code=code, phone_number="+8613800138000")
    share = t.plain("button.share_phone")
    await register(bot, own, t, "Ann Lee", lambda: own.tap(share))
    saved = shown(t, "phone.saved_verified", phone="+8613800138000")
    assert any(m.text == saved for m in own.messages)

    other = sandbox.user(2002, first_name="Bob", language_code=code)
    card = "+8613911112222"
    await register(bot, other, t, "Bob Wu", lambda: other.share_contact(card, "Zhang", None))
    assert any(shown(t, "phone.saved", phone=card) == m.text for m in other.messages)

    verified = shown(t, "phone.verified", phone="+8613800138000")
    typed = shown(t, "phone.unverified", phone=card)
    new_own = await coordinator.wait_for("Ann Lee", timeout=15)
    new_other = await coordinator.wait_for("Bob Wu", timeout=15)
    assert verified in new_own.text and typed not in new_own.text
    assert typed in new_other.text and verified not in new_other.text
    await coordinator.command("/pending")
    listing = await coordinator.wait_for(
        predicate=lambda m: "Ann Lee" in m.text and "Bob Wu" in m.text
    )
    assert verified in listing.text and typed in listing.text

    await other.command("/me")
    profile = await other.wait_for("Bob Wu")
    assert typed in profile.text
    async with bot.db.read() as session:
        stmt = select(VolunteerProfile.phone, VolunteerProfile.phone_verified)
        rows = {phone: verified for phone, verified in await session.execute(stmt)}
    assert rows == {"+8613800138000": True, card: False}

    # a number typed later is not verified
    await own.command("/me")
    await own.wait_for(predicate=with_button(t.plain("edit.phone")))
    await own.press(t.plain("edit.phone"))
    await own.wait_for(shown(t, "ask.phone"))
    await own.send("13800138001")
    await own.wait_for(shown(t, "phone.saved", phone="+8613800138001"))
    again = await own.wait_for("Ann Lee")
    assert shown(t, "phone.unverified", phone="+8613800138001") in again.text


async def pending_volunteers(bot: RunningBot, names: dict[int, str], language: str) -> None:
    """Volunteers registered through the service (the chat flow has its own tests),
    one minute apart in the queue."""
    community = await bot.services.org.unit_by_code(COMMUNITY)
    assert community is not None
    for telegram_id, name in names.items():
        user = await bot.services.users.touch(
            TelegramIdentity(telegram_id, name, language_code=telegram_code(language))
        )
        form = VolunteerForm(name, "13800138000", community.id, None, (), consent=True)
        await bot.services.volunteers.register(user.id, form)


async def started_coordinator(sandbox: Sandbox, bot: RunningBot, t: Translator) -> SandboxUser:
    await bot.services.coordinators.add_admin(COORDINATOR_ID, COMMUNITY, label="test")
    coordinator = sandbox.user(
        COORDINATOR_ID, first_name="罗杰", language_code=telegram_code(t.language)
    )
    await coordinator.command("/start")
    await coordinator.wait_for(predicate=with_button(t.plain("home.pending")))
    return coordinator


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_pending_list_stays_while_volunteers_are_decided(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    """/pending and one tap per volunteer: each decision keeps the list in the same
    message, the decided volunteer marked on top and the others' buttons there."""
    t = get_translator(language)
    coordinator = await started_coordinator(sandbox, bot, t)
    await pending_volunteers(bot, {2001: "Ann Lee", 2002: "Bob Wu", 2003: "Cai Yun"}, language)

    await coordinator.command("/pending")
    listing = await coordinator.wait_for(shown(t, "approval.list_title", total=3, page=1, pages=1))
    await coordinator.press(t.plain("button.approve_name", name="Ann Lee"), listing)
    after_one = await coordinator.wait_for(shown(t, "approval.approved", name="Ann Lee"))
    assert after_one.message_id == listing.message_id and after_one.edited
    assert shown(t, "approval.list_title", total=2, page=1, pages=1) in after_one.text
    assert "Bob Wu" in after_one.text and "Cai Yun" in after_one.text
    assert not with_button(t.plain("button.approve_name", name="Ann Lee"))(after_one)
    assert with_button(t.plain("button.approve_name", name="Bob Wu"))(after_one)

    await coordinator.press(t.plain("button.decline_name", name="Bob Wu"), after_one)
    after_two = await coordinator.wait_for(shown(t, "approval.declined", name="Bob Wu"))
    assert after_two.message_id == listing.message_id
    assert "Ann Lee" not in after_two.text and "Cai Yun" in after_two.text

    await coordinator.press(t.plain("button.approve_name", name="Cai Yun"), after_two)
    last = await coordinator.wait_for(shown(t, "approval.none"))
    assert last.message_id == listing.message_id
    assert last.text.startswith(shown(t, "approval.approved", name="Cai Yun"))
    assert last.buttons == []
    statuses = {
        v.real_name: v.status
        for v in [await bot.services.volunteers.profile((await bot.services.users.get(i)).id)
                  for i in (2001, 2002, 2003)]
        if v is not None
    }  # fmt: skip
    assert statuses == {"Ann Lee": "approved", "Bob Wu": "declined", "Cai Yun": "approved"}


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_pending_volunteer_is_told_to_wait_then_where_the_orders_are(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    """/orders while the registration waits says so (not "not available to you"); the
    approval tells the volunteer what to do now; the coordinator's card, what is left."""
    t = get_translator(language)
    coordinator = await started_coordinator(sandbox, bot, t)
    await pending_volunteers(bot, {2001: "Ann Lee", 2002: "Bob Wu"}, language)
    v = sandbox.user(2001, first_name="Ann Lee", language_code=telegram_code(language))
    await v.command("/orders")
    await v.wait_for(shown(t, "error.awaiting_approval"))
    assert shown(t, "error.not_allowed") not in v.messages[-1].text

    card = await coordinator.wait_for("Ann Lee", timeout=15)
    await coordinator.wait_for("Bob Wu", timeout=15)
    await coordinator.press(t.plain("button.approve"), card)
    decided = await coordinator.wait_for(shown(t, "approval.approved", name="Ann Lee"))
    assert decided.message_id == card.message_id
    assert shown(t, "approval.others_waiting", 1, count=1) in decided.text  # and where

    told = await v.wait_for(shown(t, "volunteer.told_approved", name="Ann Lee"), timeout=15)
    assert shown(t, "volunteer.next_steps") in told.text and "/orders" in told.text
    await v.command("/orders")
    await v.wait_for(shown(t, "orders.none"))


@pytest.mark.parametrize("language", LANGUAGES)
async def test_home_greets_people_by_the_name_they_registered_with(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    t = get_translator(language)
    await pending_volunteers(bot, {2001: "王小芳"}, language)
    v = sandbox.user(2001, first_name="Fang", language_code=telegram_code(language))
    await v.command("/start")
    home = await v.wait_for(shown(t, "home.title", name="王小芳"))
    assert "Fang" not in home.text
    resident = sandbox.user(1001, first_name="Lily", language_code=telegram_code(language))
    await resident.command("/start")  # not registered: greeted by their Telegram name
    await resident.wait_for(shown(t, "start.welcome", name="Lily")[:8])


def menu_calls(sandbox: Sandbox, chat_id: int) -> list[object]:
    """The setMyCommands requests the bot made for ``chat_id``'s own menu."""
    found = []
    for r in sandbox.requests:
        if r.method.lower() != "setmycommands" or not r.ok:
            continue
        scope = r.params.get("scope")
        scope = json.loads(scope) if isinstance(scope, str) else scope
        if isinstance(scope, dict) and scope.get("chat_id") == chat_id:
            found.append(r)
    return found


NEWCOMER = ["start", "lang", "help", "cancel"]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_each_persons_menu_and_help_follow_their_roles(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    """Residents do not see /review behind "/"; a volunteer approved by a coordinator
    finds /orders there before writing again; /help lists what the menu shows, each
    command once; a menu is set once, not at every update, nor again after a restart."""
    t = get_translator(language)
    code = telegram_code(language)
    coordinator = await started_coordinator(sandbox, bot, t)
    await sandbox.wait_until(lambda: "review" in sandbox.menu_of(COORDINATOR_ID))
    assert "pending" in sandbox.menu_of(COORDINATOR_ID)

    resident = sandbox.user(1001, first_name="王芳", language_code=code)
    await resident.command("/start")
    await resident.wait_for(predicate=with_button(t.plain("home.need_help")))
    await sandbox.wait_until(lambda: sandbox.menu_of(1001) == NEWCOMER)
    street, community = await street_and_community(bot, language)
    await resident.press(t.plain("home.need_help"))
    await resident.wait_for(shown(t, "ask.street"))
    await resident.press(street)
    await resident.wait_for(shown(t, "ask.community"))
    await resident.press(community)
    await resident.wait_for(shown(t, "resident.registered", community=community))
    await sandbox.wait_until(lambda: "request" in sandbox.menu_of(1001))
    menu = sandbox.menu_of(1001)
    assert not {"review", "pending", "coordinators", "activity", "order", "orders"} & set(menu)
    described = {c["command"]: c["description"] for c in sandbox.commands(
        {"type": "chat", "chat_id": 1001})}  # fmt: skip
    assert described["request"] == t.plain("command.request")  # in their language
    await resident.command("/help")
    shown_help = await resident.wait_for(shown(t, "help.everyone"))
    lines = re.findall(r"^/([a-z_]+) — ", shown_help.text, re.M)
    assert sorted(lines) == sorted(menu)  # the same commands, each once

    # approval, by a coordinator: the volunteer's menu changes without them writing
    await pending_volunteers(bot, {2001: "Ann Lee"}, language)
    v = sandbox.user(2001, first_name="Ann", language_code=code)
    await v.command("/start")
    await sandbox.wait_until(lambda: "request" in sandbox.menu_of(2001))
    assert "orders" not in sandbox.menu_of(2001)
    await coordinator.command("/pending")
    listing = await coordinator.wait_for(shown(t, "approval.list_title", total=1, page=1, pages=1))
    await coordinator.press(t.plain("button.approve_name", name="Ann Lee"), listing)
    await sandbox.wait_until(lambda: "orders" in sandbox.menu_of(2001))
    assert "myplaces" in sandbox.menu_of(2001) and "review" not in sandbox.menu_of(2001)

    # set once: not again at the next updates, nor after a restart
    calls = len(menu_calls(sandbox, 1001))
    assert calls == 2  # the newcomer's, then the resident's
    await resident.command("/start")
    await resident.wait_for(shown(t, "home.title", name="王芳"))
    await bot.restart()
    await resident.command("/help")
    await resident.wait_for(shown(t, "help.everyone"))
    await v.command("/orders")
    await v.wait_for(shown(t, "orders.none"))
    assert len(menu_calls(sandbox, 1001)) == calls
    assert len(menu_calls(sandbox, 2001)) == 2


@pytest.mark.parametrize("language", LANGUAGES)
async def test_an_appointed_coordinators_menu_gains_and_loses_the_coordinators_commands(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    t = get_translator(language)
    code = telegram_code(language)
    future = sandbox.user(3001, first_name="罗杰", language_code=code)
    await future.command("/start")
    await sandbox.wait_until(lambda: sandbox.menu_of(3001) == NEWCOMER)
    admin = sandbox.user(ADMIN_ID, first_name="Admin", language_code=code)
    await admin.command("/coordinators")
    await admin.wait_for(predicate=with_button(t.plain("button.appoint")))
    await admin.press(t.plain("button.appoint"))
    await admin.wait_for(shown(t, "appoint.ask_who"))
    await admin.send("3001")
    await admin.wait_for(shown(t, "appoint.ask_unit"))
    street = await bot.services.org.unit_by_code("longyang")
    assert street is not None
    await admin.press(street.name(language))
    await admin.wait_for(predicate=with_button(t.plain("button.confirm")))
    await admin.press(t.plain("button.confirm"))
    await sandbox.wait_until(lambda: "review" in sandbox.menu_of(3001))
    assert {"pending", "coordinators", "request"} <= set(sandbox.menu_of(3001))

    await admin.command("/coordinators")
    remove = t.plain("button.remove_name", name="罗杰")
    await admin.wait_for(predicate=with_button(remove))
    await admin.press(remove)
    await admin.wait_for(predicate=with_button(t.plain("button.confirm_remove")))
    await admin.press(t.plain("button.confirm_remove"))
    await sandbox.wait_until(lambda: sandbox.menu_of(3001) == NEWCOMER)
