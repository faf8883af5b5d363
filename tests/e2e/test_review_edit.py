"""End to end over HTTP: a coordinator edits a pending request from /review before
deciding it — in Chinese and in English. Each field is asked with the request's own
question and checks: bad input (empty, 10,000 characters, a malformed phone) is refused
and asked again, HTML is kept as text, nothing is lost across a restart; the requester
is told which fields changed; the audit names the fields but never shows the phone.
Also: an escalated request's button opens its review; "announce wider" refuses a
forged or foreign press."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import callback_data
from bot.i18n import Translator, get_translator
from bot.services.requests.publish import Publication
from sandbox import Sandbox
from sandbox.users import SandboxUser
from storage.models import AuditEntry, Order
from tests.e2e.test_order_loop import pending_order
from tests.support.bot import RunningBot
from tests.support.chat import shown

COMMUNITY = "longyang.longhudongan"
OTHER_COMMUNITY = "yongfeng.longmo"
STREET = "longyang"
COORDINATOR_ID = 9201
OTHER_COORDINATOR_ID = 9202
RESIDENT_ID = 1001  # tests.e2e.test_order_loop.pending_order's requester


async def order_row(bot: RunningBot, order_id: int) -> Order:
    async with bot.db.read() as session:
        row = await session.get(Order, order_id)
        assert row is not None
        return row


async def review_card(coordinator: SandboxUser, t: Translator, number: str) -> None:
    """The review card itself: the "review requested" notice held for the coordinator
    (they had not opened the bot) is released by their /review and may come first."""
    edit = t.plain("review.button_edit")
    await coordinator.wait_for(number, predicate=lambda m: any(edit in row for row in m.buttons))


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_coordinator_edits_a_request_before_approving_it(
    bot: RunningBot, sandbox: Sandbox, language: str
) -> None:
    t = get_translator(language)
    code = "zh-hans" if language == "zh_CN" else "en"
    await bot.services.coordinators.add_admin(COORDINATOR_ID, COMMUNITY, label="test")
    order = await pending_order(bot, language)
    coordinator = sandbox.user(COORDINATOR_ID, first_name="罗杰", language_code=code)
    resident = sandbox.user(RESIDENT_ID, language_code=code)
    await coordinator.command("/review")
    await review_card(coordinator, t, order.number)
    await coordinator.press(t.plain("review.button_edit"))
    choose = shown(t, "review.edit_title", number=order.number)
    await coordinator.wait_for(choose)

    # the description: empty, far too long, then HTML — kept as text
    await coordinator.press(t.plain("request.edit_description"))
    ask = shown(t, "request.ask_description", max=2000).split("（")[0].split("(")[0]
    await coordinator.wait_for(ask)
    await coordinator.send("   ")
    await coordinator.wait_for(shown(t, "invalid.description.empty"))
    await coordinator.wait_for(ask)
    await coordinator.send("x" * 10_000)
    too_long = await coordinator.wait_for("10000")
    assert "2000" in too_long.text
    await coordinator.send("买菜 <b>& milk</b>")
    summary = await coordinator.wait_for(choose)
    assert "买菜 <b>& milk</b>" in summary.text
    assert summary.html is not None and "&lt;b&gt;&amp; milk&lt;/b&gt;" in summary.html

    await bot.restart()  # the edit in progress is in the database

    # the phone: malformed, then a good one typed by the coordinator
    await coordinator.press(t.plain("request.edit_phone"))
    await coordinator.wait_for(shown(t, "review.ask_phone"))
    await coordinator.send("12345")
    await coordinator.wait_for(shown(t, "invalid.phone.invalid"))
    await coordinator.wait_for(shown(t, "review.ask_phone"))
    await coordinator.send("139 0013 9000")
    summary = await coordinator.wait_for(choose)
    assert "+8613900139000" in summary.text and "买菜 <b>& milk</b>" in summary.text

    # nothing is saved before "save"
    assert (await order_row(bot, order.id)).description == order.description
    await coordinator.press(t.plain("review.button_save_edit"))
    await coordinator.wait_for(shown(t, "review.edited", number=order.number))
    row = await order_row(bot, order.id)
    assert row.description == "买菜 <b>& milk</b>"
    assert row.contact_phone == "+8613900139000"
    assert row.state == "pending_review"

    # the requester is told what changed (through the outbox)
    told = await resident.wait_for(order.number, timeout=15)
    assert t.plain("field.description") in told.text and t.plain("field.phone") in told.text
    assert "9000" not in told.text
    async with bot.db.read() as session:
        [entry] = await session.scalars(select(AuditEntry).where(AuditEntry.action == "order.edit"))
    assert entry.detail["fields"] == ["contact_phone", "description"]
    assert "9000" not in str(entry.detail)

    # and the request can be decided as usual
    await coordinator.command("/review")
    await review_card(coordinator, t, order.number)
    await coordinator.press(t.plain("review.button_approve", number=order.number))
    await coordinator.wait_for(shown(t, "review.ask_places", max=200))


async def test_edit_when_and_cancel_leave_the_request_as_it_was(
    bot: RunningBot, sandbox: Sandbox
) -> None:
    t = get_translator("en")
    await bot.services.coordinators.add_admin(COORDINATOR_ID, COMMUNITY, label="test")
    order = await pending_order(bot, "en")
    coordinator = sandbox.user(COORDINATOR_ID, language_code="en")
    await coordinator.command("/review")
    await review_card(coordinator, t, order.number)
    await coordinator.press(t.plain("review.button_edit"))
    choose = shown(t, "review.edit_title", number=order.number)
    await coordinator.wait_for(choose)
    await coordinator.press(t.plain("request.edit_when"))
    await coordinator.wait_for("Which day?")
    await coordinator.send("2020-01-01 10:00-12:00")
    await coordinator.wait_for("already passed")
    day = (datetime.now(UTC) + timedelta(days=4)).date().isoformat()
    await coordinator.send(f"{day} 14:00-16:00")
    summary = await coordinator.wait_for(choose)
    assert f"{day} 14:00" in summary.text
    await coordinator.press(t.plain("button.cancel"))
    await coordinator.wait_for(shown(t, "review.edit_cancelled"))
    assert (await order_row(bot, order.id)).starts_at == order.starts_at
    await coordinator.command("/review")
    await review_card(coordinator, t, order.number)
    await coordinator.press(t.plain("review.button_edit"))
    await coordinator.wait_for(choose)
    await coordinator.press(t.plain("review.button_save_edit"))  # nothing changed
    await coordinator.wait_for(shown(t, "review.edit_nothing", number=order.number))


async def test_escalation_buttons_recheck_the_presser(bot: RunningBot, sandbox: Sandbox) -> None:
    """The "review" button of an escalated request and the "announce wider" button are
    checked against the database and the presser's unit on every press."""
    t = get_translator("en")
    await bot.services.coordinators.add_admin(COORDINATOR_ID, STREET, label="test")
    await bot.services.coordinators.add_admin(OTHER_COORDINATOR_ID, OTHER_COMMUNITY, label="t")
    order = await pending_order(bot, "en")
    street = sandbox.user(COORDINATOR_ID, language_code="en")
    other = sandbox.user(OTHER_COORDINATOR_ID, language_code="en")
    resident = sandbox.user(RESIDENT_ID, language_code="en")
    await street.command("/help")
    help_message = await street.next_reply()
    await other.command("/help")
    other_message = await other.next_reply()
    await resident.command("/help")
    resident_message = await resident.next_reply()

    # the street coordinator opens the review from an escalation button
    await street.press_data(
        help_message.message_id, callback_data.encode(callback_data.REVIEW_ORDER, order.id)
    )
    card = await street.wait_for(order.number)
    assert t.plain("review.button_edit") in str(card.buttons)
    # another community's coordinator may not
    refused = await other.press_data(
        other_message.message_id, callback_data.encode(callback_data.REVIEW_ORDER, order.id)
    )
    assert refused.show_alert and refused.text == t.plain("error.not_in_scope")

    published = await bot.services.orders.approve(
        await bot.services.users.get(COORDINATOR_ID), order.id, Publication(places=2)
    )
    widen = callback_data.encode(callback_data.WIDEN, published.id)
    for user, message, error in (
        (resident, resident_message, "error.not_allowed"),
        (other, other_message, "error.not_in_scope"),
    ):
        answer = await user.press_data(message.message_id, widen)
        assert answer.show_alert and answer.text == t.plain(error)
    forged = await street.press_data(
        help_message.message_id, callback_data.encode(callback_data.WIDEN, published.id + 999)
    )
    assert forged.show_alert and forged.text == t.plain("error.not_found")
    garbled = await street.press_data(help_message.message_id, "ow:abc")
    assert garbled.show_alert and garbled.text == t.plain("error.stale")
    assert (await order_row(bot, published.id)).scope == "community"

    ok = await street.press_data(help_message.message_id, widen)
    assert ok.text == t.plain("escalation.widened_alert", number=published.number)
    await street.wait_for(published.number)
    assert (await order_row(bot, published.id)).scope == "street"
