"""The rewards catalogue in the chat, with real Update objects: a coordinator adds a
reward (bad answers refused kindly, nothing lost; a photo sent in the chat), a volunteer
browses, redeems with a confirmation, the coordinator hands it over or cancels it with a
reason; forged presses, another unit's coordinator and a second decision are refused."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from telegram import Message, PhotoSize, Update

from bot.i18n import get_translator
from bot.services.points.rewards import NAME_MAX
from storage.enums import RedemptionState
from storage.models import Redemption, Reward
from tests.handlers.conftest import Harness, Person
from tests.support.people import add_approved_volunteers
from tests.support.rewards import add_reward, balance, check_ledger, credit, stock
from tests.support.services import COMMUNITY, OTHER_STREET, STREET, coordinator, count

ZH = get_translator("zh_CN")
EN = get_translator("en")


async def _volunteer(harness: Harness, telegram_id: int, language: str = "zh-hans") -> Person:
    [(user_id, _)] = await add_approved_volunteers(
        harness.db, harness.org[COMMUNITY].id, [telegram_id]
    )
    person = harness.person(telegram_id, "小李", language)
    person.user_id = user_id  # type: ignore[attr-defined]
    return person


def _photo_update(person: Person, file_id: str) -> Update:
    message = Message(
        message_id=900_001,
        date=datetime.now(UTC),
        chat=person.chat,
        from_user=person.user,
        photo=(PhotoSize(file_id, "u1", 90, 90), PhotoSize(file_id, "u2", 1280, 720)),
    )
    message.set_bot(person.app.bot)
    return Update(990_001, message=message)


async def test_a_coordinator_adds_a_reward_and_bad_answers_lose_nothing(harness: Harness) -> None:
    await coordinator(harness.services, 7001, COMMUNITY)
    boss = harness.person(7001, "Coord7001", "en")
    [listing] = await boss.send("/managerewards")
    assert "is empty" in listing.content
    await boss.press(EN.plain("rewards.button_add"))

    [refused, again] = await boss.send("<b>" + "x" * NAME_MAX)
    assert refused.html == EN("invalid.reward_name.too_long", length=NAME_MAX + 3, max=NAME_MAX)
    assert again.content == EN.plain("rewards.ask_name", max=NAME_MAX)
    await boss.send("<b>Shopping bag</b>")
    await boss.send("Collect at the service station")
    for typed, key in (("0", "invalid.cost.not_positive"), ("-5", "invalid.cost.not_positive"),
                       ("two", "invalid.cost.not_a_number")):  # fmt: skip
        [refused, _] = await boss.send(typed)
        assert refused.html == EN(key)
    await boss.send("2.5")
    [refused, _] = await boss.send("-1")
    assert refused.html == EN("invalid.stock.range", max=100_000)
    await boss.send("3")
    await boss.send("2026-03-10")
    [refused, _] = await boss.send("2026-03-09")
    assert refused.html == EN("invalid.reward_dates.end_before_start", start="2026-03-10")
    await boss.send("2026-03-20")
    [refused, _] = await boss.send("a photo, honestly")
    assert refused.html == EN("rewards.photo_expected")
    photo = harness.sandbox.world.store_file(b"jpeg", "bag.jpg", "image/jpeg", "photo")
    [summary] = await boss.process(_photo_update(boss, photo.file_id))
    # everything typed is there, the name escaped
    assert "&lt;b&gt;Shopping bag&lt;/b&gt;" in summary.html
    assert "2.5" in summary.content and "3 left" in summary.content
    assert "2026-03-10" in summary.content and "2026-03-20" in summary.content
    replies = await boss.press(EN.plain("rewards.button_save"))
    assert any("is in the catalogue" in m.content for m in replies), [m.content for m in replies]
    assert replies[-1].photo is not None  # the card, with its photo
    async with harness.db.read() as session:
        (reward,) = list(await session.scalars(select(Reward)))
    assert (reward.cost, reward.stock, reward.photo_file_id) == (25, 3, photo.file_id)


async def test_a_volunteer_redeems_with_a_confirmation(harness: Harness) -> None:
    boss_user = await coordinator(harness.services, 7002, COMMUNITY)
    boss = harness.person(7002, "Coord7002", "zh-hans")
    reward = await add_reward(harness.services, boss_user, name="<i>环保袋</i>", cost=45, stock=2)
    volunteer = await _volunteer(harness, 7102)
    await credit(harness.db, [volunteer.user_id], 100)  # type: ignore[attr-defined]

    [catalogue] = await volunteer.send("/rewards")
    assert "&lt;i&gt;环保袋&lt;/i&gt;" in catalogue.html and "积分：10\n" in catalogue.content
    [confirm] = await volunteer.press(
        ZH.plain("rewards.button_reward", name="<i>环保袋</i>", cost="4.5")
    )
    assert "10 → 兑换后 5.5" in confirm.content
    yes = volunteer.press_update(ZH.plain("rewards.button_confirm"), confirm)
    [settled] = await volunteer.process(yes)
    assert volunteer.answer is not None and volunteer.answer.text == ZH.plain(
        "rewards.redeemed_alert"
    )
    assert "现有积分 5.5" in settled.content and settled.buttons == []
    # the same confirmation pressed again (data kept from before): nothing more redeemed
    await volunteer.process(volunteer.press_update_data(confirm, yes.callback_query.data))  # type: ignore[union-attr]
    assert volunteer.answer is not None
    assert volunteer.answer.text == ZH.plain("error.balance_changed")
    assert await balance(harness.db, volunteer.user_id) == 55  # type: ignore[attr-defined]
    assert await stock(harness.db, reward.id) == 1

    # the coordinator is told, with the buttons
    await harness.deliver()
    notice = boss.chat_view.messages[-1]
    assert "志愿者7102" in notice.content and "&lt;i&gt;环保袋&lt;/i&gt;" in notice.html
    assert ZH.plain("rewards.button_handed") in notice.callback_data

    [mine] = await volunteer.send("/myrewards")
    assert ZH.plain("rewards.state_pending") in mine.content and "5.5" in mine.content


async def test_not_enough_points_says_the_balance(harness: Harness) -> None:
    boss_user = await coordinator(harness.services, 7003, COMMUNITY)
    reward = await add_reward(harness.services, boss_user, cost=45, stock=2)
    volunteer = await _volunteer(harness, 7103, "en")
    await credit(harness.db, [volunteer.user_id], 20)  # type: ignore[attr-defined]
    [catalogue] = await volunteer.send("/rewards")
    [told] = await volunteer.press(catalogue.buttons[0][0], catalogue)
    assert told.html == EN("rewards.insufficient", name=reward.name, cost="4.5", balance="2")
    # a forged "yes" at the balance shown: refused by the ledger, nothing kept
    await volunteer.process(volunteer.press_update_data(catalogue, f"by:{reward.id}:20"))
    assert volunteer.answer is not None
    assert volunteer.answer.text == EN.plain("rewards.insufficient_alert", cost="4.5", balance="2")
    assert await count(harness.db, Redemption) == 0
    assert await stock(harness.db, reward.id) == 2


async def test_forged_presses_are_refused(harness: Harness) -> None:
    other = await coordinator(harness.services, 7004, OTHER_STREET)
    far_reward = await add_reward(harness.services, other, name="别处的奖品")
    volunteer = await _volunteer(harness, 7104)
    await credit(harness.db, [volunteer.user_id], 100)  # type: ignore[attr-defined]
    [catalogue] = await volunteer.send("/rewards")
    for data, key in (
        (f"bv:{far_reward.id}", "error.reward_unavailable"),
        (f"by:{far_reward.id}:100", "error.reward_unavailable"),
        ("bv:99999", "error.not_found"),
        ("by:2147483648:100", "error.not_found"),  # beyond rewards.id's 32 bits
        (f"bo:{far_reward.id}", "error.not_allowed"),  # a volunteer manages nothing
        ("by:1:-5", "error.stale"),
        ("bh:1", "error.not_allowed"),  # a volunteer is no coordinator
        ("bxy:1", "error.not_allowed"),
    ):
        await volunteer.process(volunteer.press_update_data(catalogue, data))
        assert volunteer.answer is not None
        assert volunteer.answer.text == ZH.plain(key), data
    assert await count(harness.db, Redemption) == 0
    assert await balance(harness.db, volunteer.user_id) == 100  # type: ignore[attr-defined]


async def test_hand_over_and_cancel_are_rechecked(harness: Harness) -> None:
    boss_user = await coordinator(harness.services, 7005, COMMUNITY)
    boss = harness.person(7005, "Coord7005")
    await coordinator(harness.services, 7006, OTHER_STREET)
    stranger = harness.person(7006, "Coord7006")
    await coordinator(harness.services, 7007, STREET)
    reward = await add_reward(harness.services, boss_user, cost=30, stock=5)
    volunteer = await _volunteer(harness, 7105)
    await credit(harness.db, [volunteer.user_id], 100)  # type: ignore[attr-defined]
    first = await harness.services.redemptions.redeem(
        await harness.services.users.get(7105), reward.id
    )
    second = await harness.services.redemptions.redeem(
        await harness.services.users.get(7105), reward.id
    )
    await harness.deliver()
    notices = [m for m in boss.chat_view.messages if m.buttons]
    assert len(notices) == 2

    # another street's coordinator, with the same data
    [hint] = await stranger.send("/help")
    await stranger.process(stranger.press_update_data(hint, f"bh:{first.redemption.id}"))
    assert stranger.answer is not None and stranger.answer.text == ZH.plain("error.not_in_scope")

    notice = next(m for m in notices if f"#{first.redemption.id}" in m.content)
    [edited] = await boss.press(ZH.plain("rewards.button_handed"), notice)
    name = reward.name
    assert ZH.plain("rewards.handed", id=first.redemption.id, name=name) in edited.content
    assert edited.buttons == []
    await boss.process(boss.press_update_data(notice, f"bh:{first.redemption.id}"))
    assert boss.answer is not None and boss.answer.text == ZH.plain("error.already_decided")
    await boss.process(boss.press_update_data(notice, f"bk:{first.redemption.id}"))
    assert boss.answer is not None and boss.answer.text == ZH.plain("error.already_decided")

    notice = next(m for m in notices if f"#{second.redemption.id}" in m.content)
    [ask] = await boss.press(ZH.plain("rewards.button_cancel_redemption"), notice)
    assert ask.html == ZH("rewards.ask_cancel_reason", id=second.redemption.id, name=name)
    [refused, _] = await boss.send("   ")
    assert refused.html == ZH("invalid.reason.empty")
    [done] = await boss.send("<b>out of bags</b>")
    assert done.html == ZH("rewards.cancelled", id=second.redemption.id, name=name)
    assert await balance(harness.db, volunteer.user_id) == 70  # type: ignore[attr-defined]
    assert await stock(harness.db, reward.id) == 4
    await harness.deliver()
    told = [m.html for m in volunteer.chat_view.messages]
    assert ZH("rewards.handed_notice", name=name, id=first.redemption.id) in told
    assert any("&lt;b&gt;out of bags&lt;/b&gt;" in t for t in told)
    async with harness.db.read() as session:
        states = sorted(r.state for r in await session.scalars(select(Redemption)))
    assert states == sorted([RedemptionState.HANDED_OVER.value, RedemptionState.CANCELLED.value])
    await check_ledger(harness.db)
