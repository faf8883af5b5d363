"""The points bank's handlers with real updates: /passbook paged, /points, a
coordinator's adjustment (a reason required, nothing lost; another unit's volunteer
refused), a transfer with its confirmation, forged presses refused, and the points rate
checked against its limits when publishing."""

from __future__ import annotations

from bot.i18n import get_translator
from bot.messages.common import points_text
from tests.handlers.conftest import Harness
from tests.support.orders import request_form
from tests.support.people import add_approved_volunteers
from tests.support.points import balance
from tests.support.services import COMMUNITY, OTHER_COMMUNITY, coordinator, person

EN = get_translator("en")
ZH = get_translator("zh_CN")


async def two_volunteers(harness: Harness) -> list[tuple[int, int]]:
    community = harness.org[COMMUNITY].id
    return await add_approved_volunteers(harness.db, community, [8101, 8102], language="en")


async def test_passbook_is_paged_and_only_ones_own(harness: Harness) -> None:
    (uid, tid), (other_uid, _) = await two_volunteers(harness)
    boss = await coordinator(harness.services, 8001, COMMUNITY)
    volunteer = harness.person(tid, "Wang", "en")
    [empty] = await volunteer.send("/passbook")
    assert empty.content == EN.plain("passbook.empty")
    for n in range(12):
        await harness.services.points.adjust(boss, uid, 10, f"<b>thanks</b> {n}")
    await harness.services.points.adjust(boss, other_uid, 70, "the other one")

    [page] = await volunteer.send("/passbook")
    assert "balance 12" in page.content and "page 1 of 2, 12 entries" in page.content
    assert "<b>thanks</b> 11" in page.content  # the reason as typed, escaped in HTML
    assert "the other one" not in page.content
    assert page.buttons == [["▶"]]
    [second] = await volunteer.press("▶")
    assert "page 2 of 2" in second.content and "<b>thanks</b> 0" in second.content
    # a forged page is the last page of one's own passbook, never someone else's
    # (shown already: the message stays as it is)
    assert await volunteer.process(volunteer.press_update_data(second, "pb:99999999999")) == []
    assert volunteer.answer is not None and not volunteer.answer.show_alert

    [summary] = await volunteer.send("/points")
    assert EN.plain("points.period_month", hours="0", points="12") in summary.content


async def test_an_adjustment_needs_a_reason_and_stays_in_the_unit(harness: Harness) -> None:
    (uid, tid), _ = await two_volunteers(harness)
    await coordinator(harness.services, 8001, COMMUNITY)
    boss = harness.person(8001, "Coord", "zh-hans")
    volunteer = harness.person(tid, "Wang", "en")
    [ask] = await boss.send(f"/adjust {tid}")
    assert ask.content.startswith("调整")
    bad, again = await boss.send("两分")
    assert bad.content == ZH.plain("invalid.adjust_amount.not_a_number")
    assert again.content == ask.content  # the same question again
    await boss.send("2.5")
    replies = await boss.send("   ")  # no reason: said so, the amount kept
    assert replies[0].content == ZH.plain("invalid.reason.empty")
    assert "+2.5" in replies[-1].content
    assert await balance(harness.db, uid) == 0
    [done] = await boss.send("帮助整理物资")
    assert "+2.5" in done.content and await balance(harness.db, uid) == 25
    await harness.deliver()
    told = volunteer.chat_view.messages[-1]
    assert "帮助整理物资" in told.content and "+2.5" in told.content

    await coordinator(harness.services, 8002, OTHER_COMMUNITY)
    outsider = harness.person(8002, "Other", "en")
    [refused] = await outsider.send(f"/adjust {tid}")
    assert refused.content == EN.plain("error.not_in_scope")
    # a forged ⭐ press by the other unit's coordinator, and by the volunteer
    [hint] = await outsider.send("/help")
    assert await outsider.process(outsider.press_update_data(hint, f"pj:{uid}")) == []
    assert outsider.answer is not None and outsider.answer.text == EN.plain("error.not_in_scope")
    [hint] = await volunteer.send("/help")
    assert await volunteer.process(volunteer.press_update_data(hint, f"pj:{uid}")) == []
    assert volunteer.answer is not None and volunteer.answer.show_alert
    assert await harness.services.flows.get(uid) is None
    assert await balance(harness.db, uid) == 25


async def test_a_transfer_is_confirmed_before_it_moves(harness: Harness) -> None:
    (uid, tid), (other_uid, other_tid) = await two_volunteers(harness)
    boss = await coordinator(harness.services, 8001, COMMUNITY)
    await harness.services.points.adjust(boss, uid, 50, "奖励")
    giver = harness.person(tid, "Wang", "en")
    [ask] = await giver.send("/transfer")
    assert ask.content == EN.plain("transfer.ask_whom")
    [nobody] = (await giver.send("123"))[:1]
    assert nobody.content == EN.plain("transfer.not_found")
    [amount] = await giver.send(str(other_tid))
    assert points_text(50) in amount.content
    [too_much] = await giver.send("9")  # of 5 points: refused when it books, after the press
    assert "9" in too_much.content and await balance(harness.db, uid) == 50
    replies = await giver.press(EN.plain("transfer.button_confirm"))
    assert any(EN.plain("transfer.insufficient", balance="5") in r.content for r in replies)
    [confirm] = await giver.send("2")
    assert await balance(harness.db, uid) == 50  # nothing before the confirmation
    label = EN.plain("transfer.button_confirm")
    data = confirm.data_for(label)
    [done] = await giver.press(label)
    assert "2 points given" in done.content
    assert await balance(harness.db, uid) == 30 and await balance(harness.db, other_uid) == 20
    # the confirmation pressed again: the flow is over, nothing moves twice
    await giver.process(giver.press_update_data(confirm, data))
    assert giver.answer is not None and await balance(harness.db, uid) == 30


async def test_a_points_rate_outside_the_limits_is_refused_and_asked_again(
    harness: Harness,
) -> None:
    """Publishing step by step: a rate beyond ``[points] min_rate``/``max_rate`` (0.5 and
    20 by default), or not a number, gets the limits and the same question; the places
    answered before are kept."""
    resident = await person(harness.services, 8201, "Wang", language_code="en")
    order = await harness.services.orders.create_request(resident, request_form(harness.org))
    await coordinator(harness.services, 8001, COMMUNITY)
    boss = harness.person(8001, "Coord", "en")
    await boss.send("/review")
    await boss.press(EN.plain("review.button_approve", number=order.number))
    [ask] = await boss.press("2")  # places
    assert ask.content == EN.plain("review.ask_rate", rate=3)
    limits = EN.plain("invalid.points_rate.limits", min="0.5", max="20")
    for typed in ("25", "0.4", "0", "lots"):
        refused, again = await boss.send(typed)
        assert (refused.content, again.content) == (limits, ask.content), typed
    [team] = await boss.send("2,5")
    assert team.content == EN.plain("review.ask_team")
    me = await harness.services.users.get(8001)
    flow = await harness.services.flows.get(me.id)  # the coordinator's draft
    assert flow is not None
    assert (flow.data["places"], flow.data["rate"]) == (2, 2.5)
