"""End to end over HTTP, in Chinese and in English: a street's coordinator composes a
broadcast (/broadcast) — bad words, a file that is no photo and an image sent as a
file are refused with the reason and the question asked again, nothing lost —, sees
the preview (the volunteers' message itself) and the live count, and sends it; the
street's volunteers get it once, with its formatting and a mute button (a volunteer who
muted its kind and one of another street get nothing); one mutes from the message and
/settings shows it; /broadcasts lists it with its figures."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.i18n import Translator, get_translator
from bot.messages.broadcasts import category_name
from bot.services.kernel.dto import UnitDTO
from sandbox import Sandbox
from sandbox.users import SandboxUser
from storage.models import Broadcast, OutboxMessage
from telegram_html import HtmlError, parse_html
from tests.support.bot import ADMIN_ID, RunningBot
from tests.support.chat import prompt, shown
from tests.support.people import add_approved_volunteers

STREET = "longyang"
COMMUNITY = "longyang.longhudongan"
OTHER_STREET_COMMUNITY = "yongfeng.longmo"
COORDINATOR_ID = 9501
HERE = (2501, 2502)
MUTED = 2503
ELSEWHERE = 2504
WORDS = "<b>浓情重阳节</b>·温暖志愿行 &amp; 包饺子"
UNCLOSED = "<b>浓情重阳节"


def html_reason(words: str) -> str:
    try:
        parse_html(words)
    except HtmlError as error:
        return str(error)
    raise AssertionError("expected a refusal")


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_a_coordinator_broadcasts_to_their_street(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    t = get_translator(language)
    code = "zh-hans" if language == "zh_CN" else "en"
    services = bot.services
    await services.coordinators.add_admin(COORDINATOR_ID, STREET, label="test")
    here = await services.org.unit_by_code(COMMUNITY)
    there = await services.org.unit_by_code(OTHER_STREET_COMMUNITY)
    street = await services.org.unit_by_code(STREET)
    assert here and there and street
    await add_approved_volunteers(bot.db, here.id, [*HERE, MUTED], language=language)
    await add_approved_volunteers(bot.db, there.id, [ELSEWHERE], language=language)
    await services.broadcasts.set_muted(await services.users.get(MUTED), "activities", True)
    volunteers = [sandbox.user(tid, language_code=code) for tid in (*HERE, MUTED, ELSEWHERE)]
    c = sandbox.user(COORDINATOR_ID, first_name="罗杰", language_code=code)

    await c.command("/broadcast")
    await c.wait_for(prompt(t, "broadcast.intro"))
    ask_text = shown(t, "broadcast.ask_text")
    await c.wait_for(ask_text)
    await c.send(UNCLOSED)
    await c.wait_for(shown(t, "invalid.broadcast_text.html", why=html_reason(UNCLOSED)))
    await c.wait_for(ask_text)
    await c.send("字" * 4097)
    await c.wait_for(shown(t, "invalid.broadcast_text.too_long", length=4097, limit=4096))
    await c.wait_for(ask_text)
    await c.send_document(b"%PDF-1.4", "call.pdf", "application/pdf")
    await c.wait_for(shown(t, "invalid.broadcast_photo.not_image"))
    await c.wait_for(ask_text)
    await c.send(WORDS)
    await c.wait_for(shown(t, "broadcast.ask_photo"))
    await c.send_document(b"\x89PNG", "poster.png", "image/png")
    await c.wait_for(shown(t, "invalid.broadcast_photo.as_file"))
    await c.wait_for(shown(t, "broadcast.ask_photo"))
    await c.press(t.plain("broadcast.button_no_photo"))
    await c.wait_for(shown(t, "broadcast.ask_category"))
    await c.press(category_name(t, "activities"))
    await c.wait_for(shown(t, "broadcast.ask_unit", unit=street.name(language)))
    await c.press(t.plain("broadcast.button_all_of", unit=street.name(language)))
    await c.wait_for(shown(t, "broadcast.ask_teams"))
    await c.press(t.plain("button.done"))
    await c.wait_for(shown(t, "broadcast.ask_min_hours"))
    await c.send("lots")
    await c.wait_for(shown(t, "invalid.min_hours.range"))
    await c.wait_for(shown(t, "broadcast.ask_min_hours"))
    await c.press(t.plain("broadcast.button_any"))
    await c.wait_for(shown(t, "broadcast.ask_active_days"))
    await c.press(t.plain("broadcast.button_any"))
    await c.wait_for(shown(t, "broadcast.ask_places", max=200))
    await c.press(t.plain("broadcast.button_no_places"))
    await c.wait_for(shown(t, "broadcast.ask_send_at"))
    await c.send("2020-01-01 09:00")
    await c.wait_for(shown(t, "invalid.send_at.past"))
    await c.wait_for(shown(t, "broadcast.ask_send_at"))
    await c.press(t.plain("broadcast.button_now"))
    await c.wait_for(shown(t, "broadcast.preview_above"))
    mute_label = t.plain("broadcast.button_mute", category=category_name(t, "activities"))
    preview = await c.wait_for("浓情重阳节", predicate=lambda m: bool(m.buttons))
    assert preview.html == WORDS and preview.buttons == [[mute_label]]
    send = t.plain("broadcast.button_send", count=2)  # the muted one and the other street: not
    confirm = await c.wait_for(prompt(t, "broadcast.confirm"))
    assert [send] in confirm.buttons and street.name(language) in confirm.text
    await c.press(send)
    sent = await c.wait_for(prompt(t, "broadcast.sent"))
    async with bot.db.read() as s:
        [broadcast] = await s.scalars(select(Broadcast))
    assert sent.text == shown(t, "broadcast.sent", 2, count=2, id=broadcast.id)
    pause, cancel = t.plain("broadcast.button_pause"), t.plain("broadcast.button_cancel")
    progress = await c.wait_for(prompt(t, "broadcast.progress_title"))
    assert progress.buttons == [[pause, cancel]]

    # the street's volunteers get it, formatted, once, with the mute button
    first, second, muted, elsewhere = volunteers
    for v in (first, second):
        got = await v.wait_for("浓情重阳节", timeout=15)
        assert got.html == WORDS and got.buttons == [[mute_label]]
    async with bot.db.read() as s:
        rows = list(
            await s.scalars(
                select(OutboxMessage.chat_id).where(
                    OutboxMessage.campaign_id == broadcast.campaign_id
                )
            )
        )
    assert sorted(rows) == sorted(HERE)  # nothing queued for the muted one or the other street
    assert not [m for v in (muted, elsewhere) for m in v.all_messages if "浓情重阳节" in m.content]

    # the progress message becomes the report (edited by the progress rounds)
    report = await c.wait_for(prompt(t, "broadcast.report"), timeout=20)
    assert report.message_id == progress.message_id and report.buttons == []
    assert report.text == shown(  # under a minute: "about 1 min"
        t, "broadcast.report", id=broadcast.id, minutes=1, delivered=2, unreachable=0, failed=0
    )

    # muted from the message itself, and /settings says so
    answer = await first.press(mute_label)
    assert answer.text == t.plain("settings.muted", category=category_name(t, "activities"))
    await first.command("/settings")
    off = t.plain("settings.button_muted", category=category_name(t, "activities"))
    settings = await first.wait_for(predicate=lambda m: [off] in m.buttons)
    news_on = t.plain("settings.button_on", category=category_name(t, "news"))
    assert [news_on] in settings.buttons
    await first.press(off)
    on = t.plain("settings.button_on", category=category_name(t, "activities"))
    await first.wait_for(predicate=lambda m: [on] in m.buttons)

    # the coordinator's list
    await c.command("/broadcasts")
    listed = await c.wait_for(f"#{broadcast.id}")
    assert "浓情重阳节" in listed.text and street.name(language) in listed.text

    # not for volunteers; /settings is not for coordinators who are no volunteer
    await first.command("/broadcast")
    await first.wait_for(shown(t, "error.not_allowed"))
    await c.command("/settings")
    await c.wait_for(shown(t, "settings.not_volunteer"))


async def community_coordinator(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> tuple[UnitDTO, SandboxUser, SandboxUser]:
    """A coordinator of COMMUNITY and one approved volunteer of it, in ``language``."""
    code = "zh-hans" if language == "zh_CN" else "en"
    await bot.services.coordinators.add_admin(COORDINATOR_ID, COMMUNITY, label="test")
    here = await bot.services.org.unit_by_code(COMMUNITY)
    assert here is not None
    await add_approved_volunteers(bot.db, here.id, [HERE[0]], language=language)
    volunteer = sandbox.user(HERE[0], language_code=code)
    return here, sandbox.user(COORDINATOR_ID, first_name="罗杰", language_code=code), volunteer


async def everyone_of(c: SandboxUser, t: Translator, unit: UnitDTO, language: str) -> None:
    """The audience questions answered: all of ``unit``, any team, hours and activity,
    sent now."""
    await c.wait_for(shown(t, "broadcast.ask_unit", unit=unit.name(language)))
    await c.press(t.plain("broadcast.button_all_of", unit=unit.name(language)))
    await c.wait_for(shown(t, "broadcast.ask_teams"))
    await c.press(t.plain("button.done"))
    for question in ("broadcast.ask_min_hours", "broadcast.ask_active_days"):
        await c.wait_for(shown(t, question))
        await c.press(t.plain("broadcast.button_any"))
    await c.wait_for(shown(t, "broadcast.ask_places", max=200))
    await c.press(t.plain("broadcast.button_no_places"))
    await c.wait_for(shown(t, "broadcast.ask_send_at"))
    await c.press(t.plain("broadcast.button_now"))


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_a_broadcast_with_a_photo_goes_out_as_a_photo_with_its_caption(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    t = get_translator(language)
    here, c, volunteer = await community_coordinator(bot, sandbox, language)

    await c.command("/broadcast")
    await c.wait_for(shown(t, "broadcast.ask_text"))
    await c.send_photo(caption="字" * 1025)  # a caption's limit is 1,024
    await c.wait_for(shown(t, "invalid.broadcast_text.too_long", length=1025, limit=1024))
    await c.wait_for(shown(t, "broadcast.ask_text"))
    await c.send_photo(caption="重阳节 <i>海报</i>")  # no photo question after this
    await c.wait_for(shown(t, "broadcast.ask_category"))
    await c.press(category_name(t, "news"))
    await everyone_of(c, t, here, language)
    preview = await c.wait_for("重阳节", predicate=lambda m: m.photo is not None)
    assert preview.html == "重阳节 <i>海报</i>"
    await c.wait_for(prompt(t, "broadcast.confirm"))
    await c.press(t.plain("broadcast.button_send", count=1))
    got = await volunteer.wait_for("重阳节", predicate=lambda m: m.photo is not None, timeout=15)
    assert got.html == "重阳节 <i>海报</i>" and got.photo == preview.photo


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_setchannel_in_a_group_and_a_broadcast_posted_there_too(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    t = get_translator(language)
    here, c, volunteer = await community_coordinator(bot, sandbox, language)
    group = sandbox.group(-1005550001, "龙湖东岸志愿者群", members=[c, volunteer])

    await c.command("/setchannel")  # in the bot's own chat: how to
    await c.wait_for(shown(t, "channel.how"))
    await group.send(volunteer, "/setchannel")  # not a coordinator
    await group.wait_for(shown(t, "error.not_allowed"))
    await group.send(c, "/setchannel")
    await group.wait_for(shown(t, "channel.set", unit=here.name(language)))

    await c.command("/broadcast")
    await c.wait_for(shown(t, "broadcast.ask_text"))
    await c.send("今晚 <b>7 点</b> 开会")
    await c.wait_for(shown(t, "broadcast.ask_photo"))
    await c.press(t.plain("broadcast.button_no_photo"))
    await c.wait_for(shown(t, "broadcast.ask_category"))
    await c.press(category_name(t, "news"))
    await everyone_of(c, t, here, language)
    await c.wait_for(shown(t, "broadcast.ask_channel"))
    await c.press(t.plain("broadcast.button_channel_yes"))
    confirm = await c.wait_for(prompt(t, "broadcast.confirm"))
    assert shown(t, "broadcast.confirm_channel", text="")[1:] in confirm.text
    await c.press(t.plain("broadcast.button_send", count=1))
    posted = await group.wait_for("7 点", timeout=15)
    assert posted.html == "今晚 <b>7 点</b> 开会" and posted.buttons == []
    got = await volunteer.wait_for("7 点", timeout=15)
    assert got.buttons  # the volunteer's own copy, with its mute button


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_a_coordinator_removed_while_composing_is_told_and_the_draft_ends(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    t = get_translator(language)
    _, c, _ = await community_coordinator(bot, sandbox, language)
    await c.command("/broadcast")
    await c.wait_for(shown(t, "broadcast.ask_text"))
    await c.send("召集")
    await c.wait_for(shown(t, "broadcast.ask_photo"))
    await c.press(t.plain("broadcast.button_no_photo"))
    await c.wait_for(shown(t, "broadcast.ask_category"))
    admin = await bot.services.users.get(ADMIN_ID)
    boss = await bot.services.users.get(COORDINATOR_ID)
    await bot.services.coordinators.remove(admin, boss.id)
    await c.press(category_name(t, "news"))  # the next question needs a coordinator
    await c.wait_for(shown(t, "error.not_allowed"))
    assert await bot.services.flows.get(boss.id) is None  # the draft ended with it
