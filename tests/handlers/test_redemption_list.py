"""/redemptions with real Update objects: a coordinator lists the redemptions still to
hand over (names escaped, the notice's two buttons on each), hands one over from the
list (the list stays in the message, read again, what was done on top), a second
press on it says it was decided and brings the list up to date, "cancel" asks for the
reason as on the notice; the empty list says what happens next; another unit's
coordinator and a volunteer see none of it."""

from __future__ import annotations

from bot.i18n import get_translator
from storage.enums import RedemptionState
from storage.models import Redemption
from tests.handlers.conftest import Harness
from tests.support.people import add_approved_volunteers
from tests.support.rewards import add_reward, balance, check_ledger, credit
from tests.support.services import COMMUNITY, OTHER_COMMUNITY, coordinator

EN = get_translator("en")


async def test_a_coordinator_hands_over_from_the_list(harness: Harness) -> None:
    boss_user = await coordinator(harness.services, 7501, COMMUNITY)
    boss = harness.person(7501, "Coord", "en")
    reward = await add_reward(harness.services, boss_user, name="Bag <eco>", cost=20, stock=5)
    rows = await add_approved_volunteers(
        harness.db,
        harness.org[COMMUNITY].id,
        [7601, 7602],
        language="en",
        real_name=lambda tid: f"Li <{tid}>",
    )
    await credit(harness.db, [uid for uid, _ in rows], 100)
    volunteer = harness.person(7601, "Li", "en")
    await volunteer.send("/myrewards")  # opened the bot: notices reach them
    made = []
    for _, tid in rows:
        redeeming = await harness.services.users.get(tid)
        made.append((await harness.services.redemptions.redeem(redeeming, reward.id)).redemption)
        harness.clock.advance(minutes=10)

    [listing] = await boss.send("/redemptions")
    assert EN.plain("redemptions.title", total=2, page=1, pages=1) in listing.content
    assert listing.content.index("Li <7601>") < listing.content.index("Li <7602>")  # oldest first
    assert "Li &lt;7601&gt;" in listing.html and "Bag &lt;eco&gt;" in listing.html
    handed = [EN.plain("redemptions.button_handed", index=n) for n in (1, 2)]
    cancel = [EN.plain("redemptions.button_cancel", index=n) for n in (1, 2)]
    assert listing.buttons == [[handed[0], cancel[0]], [handed[1], cancel[1]]]
    assert listing.data_for(cancel[0]) == f"bk:{made[0].id}"  # the notice's own button

    # handed over from the list: the list stays, read again, the hand-over on top
    press = boss.press_update(handed[0], listing)
    [edited] = await boss.process(press)
    assert boss.answer is not None and boss.answer.text == EN.plain("rewards.handed_alert")
    assert edited.message_id == listing.message_id
    assert edited.content.startswith(EN.plain("rewards.handed", id=made[0].id, name="Bag <eco>"))
    assert EN.plain("redemptions.title", total=1, page=1, pages=1) in edited.content
    assert "Li <7601>" not in edited.content.split("\n\n", 1)[1]
    assert edited.buttons == [[handed[0], cancel[0]]]  # the one left is number 1 now
    await harness.deliver()
    told = volunteer.chat_view.messages[-1]
    assert told.content == EN.plain("rewards.handed_notice", name="Bag <eco>", id=made[0].id)

    # the same press again (an old message): decided already, the list brought up to date
    [again] = await boss.process(boss.press_update_data(listing, press.callback_query.data))  # type: ignore[union-attr]
    assert boss.answer is not None and boss.answer.text == EN.plain("error.already_decided")
    assert EN.plain("redemptions.title", total=1, page=1, pages=1) in again.content

    # cancel from the list: the notice's question for a reason
    [ask] = await boss.press(cancel[0], again)
    assert ask.content == EN.plain("rewards.ask_cancel_reason", id=made[1].id, name="Bag <eco>")
    [done] = await boss.send("out of stock")
    assert done.content == EN.plain("rewards.cancelled", id=made[1].id, name="Bag <eco>")
    assert await balance(harness.db, rows[1][0]) == 100

    [empty] = await boss.send("/redemptions")
    assert empty.content == EN.plain("redemptions.none") and empty.buttons == []
    async with harness.db.read() as session:
        states = [(await session.get(Redemption, r.id)).state for r in made]  # type: ignore[union-attr]
    assert states == [RedemptionState.HANDED_OVER.value, RedemptionState.CANCELLED.value]
    await check_ledger(harness.db)


async def test_another_unit_and_volunteers_see_none_of_it(harness: Harness) -> None:
    boss_user = await coordinator(harness.services, 7502, COMMUNITY)
    reward = await add_reward(harness.services, boss_user, cost=20, stock=5)
    [(uid, tid)] = await add_approved_volunteers(
        harness.db, harness.org[COMMUNITY].id, [7603], language="en"
    )
    await credit(harness.db, [uid], 100)
    volunteer_user = await harness.services.users.get(tid)
    done = await harness.services.redemptions.redeem(volunteer_user, reward.id)

    await coordinator(harness.services, 7503, OTHER_COMMUNITY)
    other = harness.person(7503, "Other", "en")
    [nothing] = await other.send("/redemptions")
    assert nothing.content == EN.plain("redemptions.none")
    # a forged press from the list by them: refused, nothing changed
    assert await other.process(other.press_update_data(nothing, f"bq:{done.redemption.id}:0")) == []
    assert other.answer is not None and other.answer.text == EN.plain("error.not_in_scope")

    volunteer = harness.person(tid, "Li", "en")
    [refused] = await volunteer.send("/redemptions")
    assert refused.content == EN.plain("error.not_allowed")
    await volunteer.process(volunteer.press_update_data(refused, f"bq:{done.redemption.id}:0"))
    assert volunteer.answer is not None and volunteer.answer.text == EN.plain("error.not_allowed")
    async with harness.db.read() as session:
        redemption = await session.get(Redemption, done.redemption.id)
    assert redemption is not None and redemption.state == RedemptionState.PENDING.value
