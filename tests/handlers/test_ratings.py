"""评单 through real Updates: the resident's star presses (the message keeps the rows
still to rate), a second press, a forged press, another user's press, a comment too
long (the text given back, the question asked again) and HTML in a comment (escaped in
the coordinators' alert and on the order card)."""

from __future__ import annotations

from sqlalchemy import select

from bot.i18n import get_translator
from storage.models import OutboxMessage, RatingPrompt
from tests.handlers.conftest import Harness
from tests.handlers.test_reminders_contact import run_due_jobs
from tests.services.ratings.test_ratings import completed

ZH = get_translator("zh_CN")


async def test_star_presses_comment_and_the_alert(harness: Harness) -> None:
    services, clock = harness.services, harness.clock
    resident_dto, order, _, (c1, c2) = await completed(harness.db, services, harness.org, clock)
    resident = harness.person(resident_dto.telegram_id, "王芳")
    stranger = harness.person(7_300_001)
    await harness.deliver()
    clock.advance(minutes=30)
    await run_due_jobs(harness)
    async with harness.db.read() as session:
        prompt = await session.scalar(select(RatingPrompt))
    assert prompt is not None
    [asked] = [
        m
        for m in resident.chat_view.messages
        if f"rs:{prompt.id}:{c1}:5" in m.callback_data.values()
    ]
    assert order.number in asked.content

    # forged data and another user's press change nothing
    await resident.process(resident.press_update_data(asked, "rs:x:1:5"))
    assert resident.answer is not None and resident.answer.show_alert
    await resident.process(resident.press_update_data(asked, f"rs:{prompt.id}:{c1}:9"))
    assert resident.answer is not None and resident.answer.show_alert
    mine = (await stranger.send("/start"))[0]
    await stranger.process(stranger.press_update_data(mine, f"rs:{prompt.id}:{c1}:5"))
    assert stranger.answer is not None
    assert stranger.answer.text == ZH.plain("error.not_allowed")

    replies = await resident.process(resident.press_update_data(asked, f"rs:{prompt.id}:{c1}:5"))
    assert resident.answer is not None and "★★★★★" in (resident.answer.text or "")
    [edited] = [m for m in replies if m.message_id == asked.message_id]
    assert len(edited.buttons) == 1 and "★★★★★" in edited.content  # the second row left
    await resident.process(resident.press_update_data(asked, f"rs:{prompt.id}:{c1}:1"))
    assert resident.answer is not None
    assert resident.answer.text == ZH.plain("error.already_rated")

    replies = await resident.process(resident.press_update_data(asked, f"rs:{prompt.id}:{c2}:2"))
    question = ZH.plain("rating.ask_comment", number=order.number, max=500)
    assert any(m.content == question for m in replies)

    long_text = "<i>太慢</i>" + "慢" * 500
    texts = [m.html or "" for m in await resident.send(long_text)]
    assert any(str(len(long_text)) in t and "500" in t for t in texts)
    assert any("&lt;i&gt;太慢&lt;/i&gt;" in t for t in texts)  # given back, escaped
    async with harness.db.read() as session:
        assert (await session.scalar(select(RatingPrompt.state))) == "open"

    await resident.send("<b>迟到</b> & 不耐烦")
    async with harness.db.read() as session:
        keys = list(
            await session.scalars(
                select(OutboxMessage.dedup_key).where(
                    OutboxMessage.dedup_key.startswith(f"rating.alert:{prompt.id}:")
                )
            )
        )
    assert keys
    coordinator = harness.person(int(keys[0].rsplit(":", 1)[1]))
    await harness.deliver()
    [alert] = [m for m in coordinator.chat_view.messages if order.number in m.content]
    assert "&lt;b&gt;迟到&lt;/b&gt; &amp; 不耐烦" in (alert.html or "")
    assert "★★☆☆☆" in alert.content and "★★★★★" not in alert.content  # only the low one
    replies = await coordinator.press(ZH.plain("attendance.button_view_order", number=order.number))
    [card] = [m for m in replies if order.number in m.content]
    assert "&lt;b&gt;迟到&lt;/b&gt; &amp; 不耐烦" in (card.html or "")
    assert "★★★★★" in card.content and "★★☆☆☆" in card.content
