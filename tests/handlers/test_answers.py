"""Every press is answered exactly once, with kind words and not a traceback (issue 12,
item 2), and an alert shows values literally, cut to Telegram's 200 UTF-16 code units
(item 19) — real updates through the bot, answered by the sandbox."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.i18n import Translator, get_translator
from bot.services.kernel.errors import InvalidValue, NotAllowed
from handlers.common import ALERT_MAX, alert_text, answer, error_text
from handlers.grabs import grab
from telegram_html import utf16_len
from tests.handlers.conftest import Harness, Person
from tests.support.orders import activity
from tests.support.people import add_approved_volunteers
from tests.support.services import COMMUNITY, START

EN = get_translator("en")
ZH = get_translator("zh_CN")


def answers_to(harness: Harness, person: Person) -> list[bool]:
    """The bot's answerCallbackQuery calls for ``person``'s last press (ok or refused)."""
    assert person.last_press is not None
    return [
        call.ok
        for call in harness.sandbox.calls("answerCallbackQuery")
        if str(call.params.get("callback_query_id")) == person.last_press.id
    ]


async def test_a_forged_profile_edit_from_someone_not_a_volunteer(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """``pe:phone`` from a resident: one alert, not a second answer Telegram refuses
    ("query is too old") and an apology."""
    resident = harness.person(1001, "Li", "en")
    [hint] = await resident.send("/help")
    with caplog.at_level(logging.ERROR, logger="volunteer_bot.errors"):
        replies = await resident.process(resident.press_update_data(hint, "pe:phone"))
    assert replies == []
    assert answers_to(harness, resident) == [True]
    assert resident.answer is not None and resident.answer.show_alert
    assert resident.answer.text == EN.plain("error.stale")
    assert not [r for r in caplog.records if r.name == "volunteer_bot.errors"]
    assert await harness.services.flows.get((await harness.services.users.get(1001)).id) is None


@pytest.mark.parametrize(
    "data",
    [
        "ac:99999999999999999999",  # beyond 64 bits: OverflowError from SQLite before
        f"ac:{2**63}",
        "va:99999999999999999999:1",
        "av:-1",
        "ac:²",  # a digit to str.isdigit, not to int()
        "ac: 1",
        "mr:a:99999999999999999999",
        "rd:1:99999999999999999999",
    ],
)
async def test_ids_no_row_can_have_are_stale(
    harness: Harness, caplog: pytest.LogCaptureFixture, data: str
) -> None:
    await harness.services.coordinators.add_admin(2001, COMMUNITY, label="test")
    boss = harness.person(2001, "Luo", "zh-hans")
    [hint] = await boss.send("/help")
    with caplog.at_level(logging.ERROR, logger="volunteer_bot.errors"):
        replies = await boss.process(boss.press_update_data(hint, data))
    assert replies == []
    assert answers_to(harness, boss) == [True]
    assert boss.answer is not None and boss.answer.show_alert
    assert boss.answer.text == ZH.plain("error.stale")
    assert not [r for r in caplog.records if r.name == "volunteer_bot.errors"]


async def test_a_page_far_past_the_end_is_the_last_page(harness: Harness) -> None:
    """▶ of a list whose page number would overflow the SQL offset (page × 5)."""
    await harness.services.coordinators.add_admin(2001, COMMUNITY, label="test")
    boss = harness.person(2001, "Luo", "en")
    [hint] = await boss.send("/help")
    [listing] = await boss.process(boss.press_update_data(hint, f"vp:{2**63 - 1}"))
    assert answers_to(harness, boss) == [True]
    assert listing.html == EN("approval.none")


async def test_a_refusal_after_the_press_was_answered_goes_into_the_chat(
    harness: Harness,
) -> None:
    """The home menu answers at once, then the list it opens is refused: said in the
    chat, not as a second answer."""
    resident = harness.person(1001, "Li", "en")
    [hint] = await resident.send("/help")
    [refusal] = await resident.process(resident.press_update_data(hint, "home:pending"))
    assert answers_to(harness, resident) == [True]
    assert refusal.html == EN("error.not_allowed")


def test_plain_reads_the_templates_markup_and_keeps_values_literal() -> None:
    t = Translator("en", {"k": "<b>Hi</b> {name} &amp; co &lt;3", "plain": "{name}"})
    name = "<b>Mal</b> & <i>lory</i> &amp;"
    assert t.plain("k", name=name) == f"Hi {name} & co <3"
    assert t.plain("plain", name=name) == name
    assert t.plain("k") == "Hi {name} & co <3"


def test_a_counted_refusal_in_an_alert_is_plain_and_in_the_right_form() -> None:
    error = InvalidValue("ends_at", "too_short", minutes=15)
    assert error_text(EN, error, plain=True) == EN.plain_ngettext(
        "invalid.ends_at.too_short", 15, minutes=15
    )
    assert "15 minutes" in error_text(EN, error, plain=True)
    assert error_text(EN, error) == EN.ngettext("invalid.ends_at.too_short", 15, minutes=15)


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


async def test_an_answer_sent_beside_other_work_counts_for_the_whole_update(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Grab button answers in one task while the place message is prepared in
    another (asyncio.gather): when that other work is refused, the refusal goes into
    the chat — the handler knows the press was answered — not into a second answer."""
    order = await activity(harness.services, harness.org, 2, starts_at=START + timedelta(days=1))
    [(_, telegram_id)] = await add_approved_volunteers(
        harness.db, harness.org[COMMUNITY].id, [4001]
    )
    volunteer = harness.person(telegram_id, "Vol", "en")
    [hint] = await volunteer.send("/help")

    async def refused(*_args: object) -> None:
        raise NotAllowed("gone meanwhile")

    monkeypatch.setattr(grab, "show_place", refused)
    replies = await volunteer.process(volunteer.press_update_data(hint, f"gr:{order.id}"))
    assert answers_to(harness, volunteer) == [True]
    assert volunteer.answer is not None
    assert volunteer.answer.text == EN.plain("grab.got_alert", number=order.number)
    assert [m.html for m in replies] == [EN("error.not_allowed")]
