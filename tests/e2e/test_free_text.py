"""End to end over HTTP: bidirectional-control characters (U+202A–U+202E, U+2066–U+2069)
are invisible, and can make text read in another order than it was typed; they also
come along unseen when text is pasted (Android wraps a copied phone number or name in
U+202A … U+202C). Every free-text field drops them the same way (issue 12, item 17):
a resident's description and address and the beneficiary's name and address are
accepted without them — the name is not refused — and the coordinator reviewing the
request sees none of them."""

from __future__ import annotations

import pytest

from bot.i18n import get_translator
from sandbox import Sandbox
from tests.e2e.test_bad_input import flow_state
from tests.e2e.test_request import orders_of, resident
from tests.support.bot import ADMIN_ID, RunningBot
from tests.support.chat import prompt, shown

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
LRE, RLE, PDF, RLO, LRI, PDI = "\u202a", "\u202b", "\u202c", "\u202e", "\u2066", "\u2069"


def has_bidi(text: str | None) -> bool:
    return any(ch in BIDI for ch in text or "")


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_bidi_controls_are_dropped_from_every_free_text_field(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    t = get_translator(language)
    r = await resident(bot, sandbox, 5201, "zh-hans" if language == "zh_CN" else "en")
    kind = await bot.services.org.category("elderly_visit")
    assert kind is not None
    await r.press(t.plain("request.home_button"))
    await r.wait_for(shown(t, "request.ask_category"))
    await r.press(kind.name(language))
    await r.wait_for(shown(t, "request.ask_description", max=2000))
    await r.send(f"陪老人{RLO}聊天{PDF}，买{LRI}菜{PDI}")
    await r.wait_for(shown(t, "request.ask_day"))
    await r.press(t.plain("request.day_tomorrow"))
    await r.wait_for(predicate=lambda m: any("09:00-11:00" in row for row in m.buttons))
    await r.press("09:00-11:00")
    await r.wait_for(shown(t, "request.ask_place", community="").split("<")[0][:5])
    await r.send(f"{LRI}龙湖东岸 3 栋{PDI}")
    await r.wait_for(t.plain("button.share_phone"))
    await r.send(f"{LRE}138 0013 8000{PDF}")  # as Android copies a number
    await r.wait_for(shown(t, "request.ask_helpers", max=200))
    await r.press("1")
    await r.wait_for(shown(t, "request.ask_behalf"))
    await r.press(t.plain("request.button_for_other"))
    await r.wait_for(shown(t, "request.ask_b_name"))
    await r.send(f"{RLO}李奶奶{PDF}")  # refused as "bad characters" before
    await r.wait_for(shown(t, "request.ask_b_phone"))
    await r.send("139-0013-9000")
    await r.wait_for(shown(t, "request.ask_b_address"))
    await r.send(f"{RLE}七里庙 5 栋{PDF}")
    submit = t.plain("request.button_submit")
    summary = await r.wait_for(predicate=lambda m: any(submit in row for row in m.buttons))
    assert not has_bidi(summary.text), summary.text
    await r.press(submit)
    await r.wait_for(shown(t, "request.created", number="")[:6])

    [order] = await orders_of(bot, 5201)
    assert (order.description, order.address) == ("陪老人聊天，买菜", "龙湖东岸 3 栋")
    assert (order.beneficiary_name, order.beneficiary_address) == ("李奶奶", "七里庙 5 栋")
    assert order.contact_phone == "+8613800138000"

    # the reviewer sees the request as typed, without the invisible characters
    coordinator = sandbox.user(ADMIN_ID, first_name="管理员", language_code="zh-hans")
    await coordinator.command("/review")
    assert order.number is not None
    card = await coordinator.wait_for("陪老人聊天，买菜")  # the review queue's card
    assert order.number in card.content and not has_bidi(card.html)
    assert not any(has_bidi(text) for text in sandbox.all_bot_messages(include_buttons=True))


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_an_activitys_title_without_bidi_controls(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    """The activity's title (a field /activity gained later) follows the same rule; only
    bidi controls is nothing, said as for a blank title."""
    t = get_translator(language)
    await bot.services.coordinators.add_admin(9401, "longyang", label="test")
    community = await bot.services.org.unit_by_code("longyang.longhudongan")
    kind = await bot.services.org.category("elderly_visit")
    assert community is not None and kind is not None
    c = sandbox.user(
        9401, first_name="罗杰", language_code="zh-hans" if language == "zh_CN" else "en"
    )
    await c.command("/activity")
    await c.wait_for(prompt(t, "request.ask_community"))
    await c.press(community.name(language))
    await c.wait_for(shown(t, "activity.ask_category"))
    await c.press(kind.name(language))
    await c.wait_for(prompt(t, "activity.ask_title"))
    await c.send(f"{RLO}{PDF} {LRI}{PDI}")
    await c.wait_for(shown(t, "invalid.title.empty"))
    await c.send(f"{RLO}浓情重阳节·温暖志愿行{PDF}")
    await c.wait_for(prompt(t, "activity.ask_description"))
    state = await flow_state(bot, 9401)
    assert state is not None and state.data["title"] == "浓情重阳节·温暖志愿行"
