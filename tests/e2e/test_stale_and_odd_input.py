"""End to end over HTTP, as people meet them (issue 12): a button left over from a flow
ended with /cancel (item 21) — in Chinese and in English."""

from __future__ import annotations

import pytest

from bot.i18n import get_translator
from bot.sandbox import Sandbox
from bot.sandbox.users import SandboxUser
from tests.e2e.support import shown
from tests.e2e.test_bad_input import flow_state
from tests.e2e.test_request import resident
from tests.fixtures.bot import RunningBot

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
