"""End to end over HTTP, as people meet them (issue 12): a button left over from a flow
ended with /cancel (item 21), an id too large for any database row typed in
/coordinators (item 2), and an alert naming a volunteer whose name looks like HTML
(item 19) — in Chinese and in English."""

from __future__ import annotations

import pytest

from bot.i18n import get_translator
from bot.services.people.volunteers import VolunteerForm
from sandbox import Sandbox
from sandbox.users import SandboxUser
from tests.e2e.test_bad_input import flow_state
from tests.e2e.test_request import resident
from tests.support.bot import ADMIN_ID, RunningBot
from tests.support.chat import shown
from tests.support.services import COMMUNITY

LANGUAGES = ["zh_CN", "en"]


def telegram_code(language: str) -> str:
    return "zh-hans" if language == "zh_CN" else "en"


def bot_changes_since(user: SandboxUser, seq: int) -> list[tuple[str, int | None]]:
    """What the bot sent or edited in the chat after event ``seq``."""
    return [
        (e.kind, e.message_id)
        for e in user.chat.events
        if e.seq > seq and e.kind in ("sent", "edited", "deleted")
    ]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_button_of_a_cancelled_flow_is_stale_and_its_message_kept(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    """Item 21: the category button of a request given up with /cancel does not drive the
    next request; the press gets the stale alert, the old message keeps its text and
    loses its buttons, and the current question is not asked a second time."""
    t = get_translator(language)
    kind = await bot.services.org.category("elderly_visit")
    assert kind is not None
    r = await resident(bot, sandbox, 5301, telegram_code(language))
    await r.command("/request")
    old = await r.wait_for(shown(t, "request.ask_category"))
    await r.command("/cancel")
    await r.wait_for(shown(t, "request.cancelled"))
    await r.command("/request")
    current = await r.wait_for(shown(t, "request.ask_category"))
    assert current.message_id != old.message_id

    before = sandbox.world.last_seq
    answer = await r.press(kind.name(language), message=old)
    assert answer.show_alert and answer.text == t.plain("flow.stale")
    edited = await r.wait_for(predicate=lambda m: m.message_id == old.message_id)
    assert edited.content == old.content and edited.buttons == []  # as it was, no buttons
    assert bot_changes_since(r, before) == [("edited", old.message_id)]
    state = await flow_state(bot, 5301)
    assert state is not None and (state.flow, state.step) == ("request", "category")
    assert "category" not in state.data

    # the current question still works
    await r.press(kind.name(language), message=current)
    await r.wait_for(shown(t, "request.ask_description", max=2000))


@pytest.mark.parametrize("language", LANGUAGES)
async def test_an_id_beyond_64_bits_typed_in_coordinators(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    """Item 2: a Telegram id no database row can hold is nobody, said kindly (it was an
    OverflowError from SQLite, "something went wrong"); the question stays."""
    t = get_translator(language)
    admin = sandbox.user(ADMIN_ID, first_name="Admin", language_code=telegram_code(language))
    await admin.command("/coordinators")
    await admin.wait_for(predicate=lambda m: any(t.plain("button.appoint") in r for r in m.buttons))
    await admin.press(t.plain("button.appoint"))
    await admin.wait_for(shown(t, "appoint.ask_who"))
    await admin.send("99999999999999999999")
    await admin.wait_for(shown(t, "error.unknown_user"))
    assert shown(t, "error.internal") not in [m.content for m in admin.messages]
    state = await flow_state(bot, ADMIN_ID)
    assert state is not None and (state.flow, state.step) == ("appoint", "who")


@pytest.mark.parametrize("language", LANGUAGES)
async def test_an_alert_shows_a_name_literally(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    """Item 19: an alert is plain text, so the volunteer's name is shown as registered
    (it was "Mal & lory", the tags taken for markup and dropped)."""
    name = "<b>Mal</b> & <i>lory</i>"
    t = get_translator(language)
    community = await bot.services.org.unit_by_code(COMMUNITY)
    assert community is not None
    await bot.services.coordinators.add_admin(9401, COMMUNITY, label="test")
    coordinator = sandbox.user(9401, first_name="Luo", language_code=telegram_code(language))
    await coordinator.command("/start")
    volunteer = sandbox.user(2401, first_name="Mal", language_code=telegram_code(language))
    await volunteer.command("/lang")
    await volunteer.wait_for(shown(t, "language.ask"))
    user = await bot.services.users.get(2401)
    await bot.services.volunteers.register(
        user.id,
        VolunteerForm(
            real_name=name,
            phone="138 0013 8000",
            community_id=community.id,
            grid_id=None,
            team_ids=(),
            consent=True,
        ),
    )
    await coordinator.command("/pending")
    approve = t.plain("button.approve_name", name=name)
    await coordinator.wait_for(predicate=lambda m: any(approve in row for row in m.buttons))
    answer = await coordinator.press(approve)
    assert answer.text == t.plain("approval.approved", name=name)
    assert name in answer.text
