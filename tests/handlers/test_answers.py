"""An alert shows values literally, cut to Telegram's 200 UTF-16 code units (issue 12,
item 19) — real updates through the bot, answered by the sandbox."""

from __future__ import annotations

import pytest

from bot.i18n import Translator
from bot.sandbox.html_check import utf16_len
from handlers.common import ALERT_MAX, alert_text, answer
from tests.handlers.conftest import Harness, Person


def answers_to(harness: Harness, person: Person) -> list[bool]:
    """The bot's answerCallbackQuery calls for ``person``'s last press (ok or refused)."""
    assert person.last_press is not None
    return [
        call.ok
        for call in harness.sandbox.calls("answerCallbackQuery")
        if str(call.params.get("callback_query_id")) == person.last_press.id
    ]


def test_plain_reads_the_templates_markup_and_keeps_values_literal() -> None:
    t = Translator("en", {"k": "<b>Hi</b> {name} &amp; co &lt;3", "plain": "{name}"})
    name = "<b>Mal</b> & <i>lory</i> &amp;"
    assert t.plain("k", name=name) == f"Hi {name} & co <3"
    assert t.plain("plain", name=name) == name
    assert t.plain("k") == "Hi {name} & co <3"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("x" * ALERT_MAX, "x" * ALERT_MAX),
        ("x" * (ALERT_MAX + 1), "x" * (ALERT_MAX - 1) + "…"),
        ("名" * 300, "名" * (ALERT_MAX - 1) + "…"),
        ("😀" * 100, "😀" * 100),  # 200 code units, two each: kept whole
        ("a" + "😀" * 100, "a" + "😀" * 99 + "…"),  # 201 units: cut, never half a pair
        ("<b>Mal</b> &amp;", "<b>Mal</b> &amp;"),  # as given: nothing stripped
    ],
)
def test_alert_text_is_cut_in_utf16_code_units(text: str, kept: str) -> None:
    assert alert_text(text) == kept
    assert utf16_len(alert_text(text)) <= ALERT_MAX


async def test_a_long_alert_is_accepted_by_telegram(harness: Harness) -> None:
    person = harness.person(1001, "Li", "en")
    [hint] = await person.send("/help")
    update = person.press_update_data(hint, "zz")
    await answer(update, "😀" * 150 + "<b>", alert=True)
    assert answers_to(harness, person) == [True]
    assert person.answer is not None and person.answer.text == "😀" * 99 + "…"
