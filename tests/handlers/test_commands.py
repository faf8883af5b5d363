"""/start, free text without a flow, /lang and /help — real updates through the bot."""

from __future__ import annotations

from bot.i18n import get_translator
from bot.services.kernel.dto import Role
from handlers.menus import EVERYONE, help_text
from storage.models import FlowState
from telegram_html import parse_html
from tests.handlers.conftest import Harness
from tests.support.services import COMMUNITY, STREET, count

ZH = get_translator("zh_CN")
EN = get_translator("en")


def shown(html_text: str) -> str:
    """The text a user sees for a message sent as HTML."""
    return parse_html(html_text)[0]


# ---- /start ---------------------------------------------------------------------------


async def test_start_asks_a_new_user_resident_or_volunteer(harness: Harness) -> None:
    wang = harness.person(1001, "王芳<b>&", "zh-hans")

    [welcome] = await wang.send("/start")

    assert welcome.html == ZH("start.welcome", name="王芳<b>&")
    assert "王芳<b>&" in welcome.content  # the name shown as typed, escaped on the wire
    assert welcome.buttons == [[ZH.plain("home.need_help")], [ZH.plain("home.become_volunteer")]]
    user = await harness.services.users.get(1001)
    assert user.first_name == "王芳<b>&" and user.roles == frozenset()
    state = await harness.services.flows.get(user.id)
    assert state is not None and (state.flow, state.step) == ("onboard", "role")


async def test_start_in_english_and_on_to_the_resident_questions(harness: Harness) -> None:
    alice = harness.person(1002, "Alice", "en-US")
    [welcome] = await alice.send("/start")
    assert welcome.html == EN("start.welcome", name="Alice")

    [streets] = await alice.press(EN.plain("home.need_help"))
    assert streets.edited and streets.message_id == welcome.message_id
    assert streets.html == EN("ask.street")
    street = harness.org[STREET].name("en")
    assert any(street in row for row in streets.buttons)
    assert alice.answer is not None  # the press was answered

    [communities] = await alice.press(street)
    assert communities.html == EN("ask.community")
    community = harness.org[COMMUNITY].name("en")

    replies = await alice.press(community)
    assert [m.html for m in replies] == [
        EN("resident.registered", community=community),
        EN("home.title", name="Alice"),
    ]
    user = await harness.services.users.get(1002)
    assert user.community_id == harness.org[COMMUNITY].id and user.roles == {Role.RESIDENT}
    assert await harness.services.flows.get(user.id) is None


async def test_start_of_a_known_resident_shows_home(harness: Harness) -> None:
    resident = harness.person(1003, "Li", "zh-hans")
    await resident.send("/start")
    user = await harness.services.users.get(1003)
    await harness.services.flows.clear(user.id)
    await harness.services.users.set_home_community(user.id, harness.org[COMMUNITY].id)

    [home] = await resident.send("/start")
    assert home.html == ZH("home.title", name="Li")
    assert [ZH.plain("home.need_help")] not in home.buttons


# ---- free text ------------------------------------------------------------------------


async def test_text_without_a_flow_gets_a_hint(harness: Harness) -> None:
    stranger = harness.person(1004, "路人", "zh-hans")
    [hint] = await stranger.send("你好，我想问一下")
    assert hint.html == ZH("flow.no_flow")
    assert await count(harness.db, FlowState) == 0


async def test_text_without_a_flow_in_english(harness: Harness) -> None:
    stranger = harness.person(1005, "Sam", "en-GB")
    [hint] = await stranger.send("hello?")
    assert hint.html == EN("flow.no_flow")


async def test_an_unknown_command_gets_a_hint(harness: Harness) -> None:
    stranger = harness.person(1006, "Sam", "en")
    [hint] = await stranger.send("/frobnicate")
    assert hint.html == EN("error.unknown_command")


# ---- /lang ----------------------------------------------------------------------------


async def test_lang_switches_the_language_of_later_replies(harness: Harness) -> None:
    wang = harness.person(1007, "王芳", "zh-hans")
    [ask] = await wang.send("/lang")
    assert ask.html == ZH("language.ask")
    assert ask.buttons == [[ZH.plain("language.name"), EN.plain("language.name")]]

    [done] = await wang.press(EN.plain("language.name"))
    assert done.edited and done.message_id == ask.message_id
    assert done.html == EN("language.set")
    user = await harness.services.users.get(1007)
    assert (user.language, user.chosen_language) == ("en", "en")

    [hint] = await wang.send("随便说点什么")  # Telegram still says zh-hans
    assert hint.html == EN("flow.no_flow")
    [helped] = await wang.send("/help")
    assert helped.html == help_text(await harness.services.users.get(1007), EN)
    assert helped.html.startswith(EN("help.everyone") + "\n/start — ")

    await wang.send("/lang")
    [back] = await wang.press(ZH.plain("language.name"))
    assert back.html == ZH("language.set")
    [hint] = await wang.send("hello")
    assert hint.html == ZH("flow.no_flow")


async def test_a_forged_language_is_refused(harness: Harness) -> None:
    sam = harness.person(1008, "Sam", "en")
    [ask] = await sam.send("/lang")
    assert await sam.process(sam.press_update_data(ask, "lang:fr")) == []
    assert sam.answer is not None and sam.answer.show_alert
    assert sam.answer.text == shown(EN("invalid.language.unknown"))
    assert (await harness.services.users.get(1008)).chosen_language is None


# ---- /help ----------------------------------------------------------------------------


async def test_help_for_a_resident(harness: Harness) -> None:
    resident = harness.person(1009, "Li", "en")
    await resident.send("hi")  # first contact
    user = await harness.services.users.get(1009)
    await harness.services.users.set_home_community(user.id, harness.org[COMMUNITY].id)

    [helped] = await resident.send("/help")
    assert helped.html == "\n\n".join(
        [
            "\n".join(
                [EN("help.everyone")] + [f"/{n} — " + EN(f"help.{n}") for n in EVERYONE]
            ),
            "\n".join([EN("help.resident")] + [f"/{n} — " + EN(f"help.{n}")
                                                for n in ("request", "myrequests")]),
        ]
    )  # fmt: skip
    assert "/pending" not in helped.content and "/orders" not in helped.content


async def test_help_for_a_coordinator(harness: Harness) -> None:
    boss = harness.person(1010, "Luo", "en")
    await harness.services.coordinators.add_admin(1010, COMMUNITY, label="test")
    await boss.send("hi")
    user = await harness.services.users.get(1010)
    await harness.services.users.set_home_community(user.id, harness.org[COMMUNITY].id)

    [helped] = await boss.send("/help")
    assert helped.html == help_text(await harness.services.users.get(1010), EN)
    for title in ("help.everyone", "help.resident", "help.coordinator"):
        assert EN(title) in helped.html
    assert "/pending — " in helped.content and "/coordinators — " in helped.content


async def test_help_differs_by_role(harness: Harness) -> None:
    resident, boss = harness.person(1011, "R", "zh-hans"), harness.person(1012, "C", "zh-hans")
    await harness.services.coordinators.add_admin(1012, STREET, label="test")
    await resident.send("hi")
    user = await harness.services.users.get(1011)
    await harness.services.users.set_home_community(user.id, harness.org[COMMUNITY].id)

    [for_resident] = await resident.send("/help")
    [for_coordinator] = await boss.send("/help")
    assert ZH("help.coordinator") not in for_resident.html
    assert ZH("help.coordinator") in for_coordinator.html
    assert for_resident.html != for_coordinator.html
