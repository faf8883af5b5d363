"""An activity with 20 places broadcast to 1,000 volunteers who all tap its Grab
button at once (issue 15), through the bot: real updates on each volunteer's own copy,
handled all at once, on SQLite and PostgreSQL. 20 winners; the 980 others are answered
that it is full and their copy itself offers the waitlist (its mute button kept); the
broadcast counts 20 places taken; and whoever opens their copy later is answered and
offered the same."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from bot.i18n import get_translator
from bot.messages.broadcasts import mute_button_label, progress_text
from bot.runtime.update_processor import PerUserUpdateProcessor
from bot.services.broadcasts.drafts import BroadcastDraft
from storage.enums import ClaimState
from storage.models import Claim
from storage.repositories.orders import number_for
from tests.handlers import conftest as handler_fixtures
from tests.handlers.conftest import Harness, Person
from tests.support.broadcasts import activity_answers
from tests.support.orders import boss, volunteers
from tests.support.services import COMMUNITY

harness = handler_fixtures.harness

PLACES = 20
TAPPERS = 1000
WORDS = "<b>浓情重阳节·温暖志愿行</b>\n周六上午陪老人包饺子"


def carrying(community_id: int, places: int, harness: Harness, **more: object) -> BroadcastDraft:
    """A broadcast to the community carrying an activity of ``places`` places."""
    starts = harness.clock.now() + timedelta(days=2)
    return BroadcastDraft.model_validate(
        {"text": WORDS, "kind": "activities", "unit_id": community_id}
        | activity_answers(community_id, places, starts)
        | more
    )


async def test_1000_volunteers_tap_grab_on_a_broadcast_with_20_places(harness: Harness) -> None:
    services, t = harness.services, get_translator("zh_CN")
    community = harness.org[COMMUNITY]
    crowd = await volunteers(harness.db, harness.org, TAPPERS + 1)
    draft = carrying(community.id, PLACES, harness)
    people = [harness.person(v.telegram_id) for v in crowd]  # they opened the bot
    sent = await services.broadcasts.send(await boss(services), draft)
    order_id = sent.order_id
    assert order_id is not None
    await harness.deliver()  # every volunteer's copy, with its Grab button
    grab = t.plain("broadcast.button_grab", places=PLACES)
    mute = mute_button_label(t, "activities")
    *tappers, later = people
    copies = {
        p.id: next(m for m in p.chat_view.messages if grab in m.callback_data) for p in people
    }
    assert all(copies[p.id].buttons == [[grab], [mute]] for p in people)

    presses = [p.press_update(grab, copies[p.id]) for p in tappers]
    await asyncio.gather(*(harness.app.process_update(u) for u in presses))
    processor = harness.app.update_processor
    assert isinstance(processor, PerUserUpdateProcessor)
    await processor.drain()  # the losers' copies edited (a follow-up after the answers)

    async with harness.db.read() as session:
        won = await session.scalar(
            select(func.count(func.distinct(Claim.volunteer_id))).where(
                Claim.order_id == order_id, Claim.state == ClaimState.CLAIMED.value
            )
        )
    assert won == PLACES
    answers = [p.answer for p in tappers]
    assert all(a is not None and a.show_alert for a in answers)
    full = t.plain("error.slots_full")
    winners = [p for p, a in zip(tappers, answers, strict=True) if a and a.text != full]
    losers = [p for p in tappers if p not in winners]
    assert len(winners) == PLACES and len(losers) == TAPPERS - PLACES
    join = t.plain("grab.button_join_waitlist")
    note = t.plain("grab.full")

    def offered(person: Person) -> bool:
        copy = next(
            m for m in person.chat_view.messages if m.message_id == copies[person.id].message_id
        )
        return copy.buttons == [[join], [mute]] and copy.content.endswith(note)

    assert all(offered(p) for p in losers)
    assert not any(offered(p) for p in winners)  # theirs is a place, not the waitlist

    # the broadcast counts them, as its progress message shows
    progress = await services.broadcasts.progress(sent.id)
    assert (progress.broadcast.places, progress.broadcast.taken) == (PLACES, PLACES)
    shown = progress_text(t, progress, "Asia/Shanghai")
    assert t.plain("broadcast.progress_places", taken=PLACES, places=PLACES) in str(shown)

    # one who opens their copy later is answered the same and offered the waitlist
    await later.press(grab, copies[later.id])
    assert later.answer is not None and later.answer.text == full
    await processor.drain()
    assert offered(later)


async def test_a_photo_broadcast_s_copy_offers_the_waitlist_and_the_place_in_its_caption(
    harness: Harness,
) -> None:
    """A broadcast with a photo: its copy has a caption, not a text; the volunteer too
    late gets the note and the waitlist's button in that caption, and then their place
    on the waitlist — the photo stays, so does the mute button."""
    services, t = harness.services, get_translator("zh_CN")
    community = harness.org[COMMUNITY]
    crowd = await volunteers(harness.db, harness.org, 2)
    first, late = (harness.person(v.telegram_id) for v in crowd)
    photo = late.chat_view.world.store_file(
        b"\x89PNG\r\n\x1a\n poster", None, "image/jpeg", "photo"
    )
    draft = carrying(community.id, 1, harness, text="重阳节 <i>海报</i>", photo=photo.file_id)
    sent = await services.broadcasts.send(await boss(services), draft)
    await harness.deliver()
    grab = t.plain("broadcast.button_grab", places=1)
    mute = mute_button_label(t, "activities")
    await first.press(grab)
    copy = next(m for m in late.chat_view.messages if grab in m.callback_data)
    assert copy.photo is not None

    await late.press(grab, copy)
    assert late.answer is not None and late.answer.text == t.plain("error.slots_full")
    processor = harness.app.update_processor
    assert isinstance(processor, PerUserUpdateProcessor)
    await processor.drain()
    join = t.plain("grab.button_join_waitlist")
    [offered] = [m for m in late.chat_view.messages if m.message_id == copy.message_id]
    assert offered.photo == copy.photo and offered.buttons == [[join], [mute]]
    assert offered.content == f"{copy.content}\n\n{t.plain('grab.full')}"

    await late.press(join, offered)
    [placed] = [m for m in late.chat_view.messages if m.message_id == copy.message_id]
    assert sent.order_id is not None
    waitlisted = t.plain("grab.waitlisted", number=number_for(sent.order_id))
    assert placed.photo == copy.photo and placed.buttons == [[mute]]
    assert placed.content == f"{copy.content}\n\n{waitlisted}"


async def test_a_waitlist_offer_refused_by_the_flood_limit_is_made_once_it_has_passed(
    harness: Harness,
) -> None:
    """The losers' edits count against the bot's flood limit (a broadcast's copies
    too): an edit answered 429 is made again after its retry_after, not dropped."""
    services, t = harness.services, get_translator("zh_CN")
    community = harness.org[COMMUNITY]
    crowd = await volunteers(harness.db, harness.org, 2)
    first, late = (harness.person(v.telegram_id) for v in crowd)
    await services.broadcasts.send(await boss(services), carrying(community.id, 1, harness))
    await harness.deliver()
    grab = t.plain("broadcast.button_grab", places=1)
    await first.press(grab)
    refusals = harness.sandbox.faults.add(
        "429", method="editMessageText", chat_id=late.id, retry_after=1, times=1
    )
    await late.press(grab)
    processor = harness.app.update_processor
    assert isinstance(processor, PerUserUpdateProcessor)
    await processor.drain()
    assert refusals.times == 0  # refused once, then made
    copy = next(m for m in late.chat_view.messages if m.callback_data)
    assert copy.buttons[0] == [t.plain("grab.button_join_waitlist")]
