"""What volunteers are told of an order (issue 12, items 10 and 11): the announcement
says what the resident asked for (an activity: its own title and text) and when
grabbing opens; the place message of a request made for someone without Telegram
shows that person (where to go, whom to call) and the requester as a second contact,
and its hidden version keeps none of either. SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import build_services
from bot.container import Services
from bot.i18n import get_translator
from bot.messages import common, grabs
from bot.services.kernel.dto import OrderDTO
from bot.services.kernel.errors import InvalidValue
from bot.services.kernel.scheduling import RecordingScheduler
from bot.services.requests.publish import Publication, default_publication
from handlers.grabs.grab import place_text
from storage.database import Database
from storage.models import OutboxMessage
from tests.support.orders import activity, boss, request_form, volunteers
from tests.support.services import START, FakeClock, Org, make_config, person

ZH = get_translator("zh_CN")
ZONE = "Asia/Shanghai"
DESCRIPTION = "买些米、油和蔬菜，大约200元 <b>&"
NAME, PHONE, ADDRESS = "老张", "+8613900139000", "七里庙 5 栋 1 单元 302"
REQUESTER_ADDRESS = "龙湖东岸 3 栋 2 单元 401"  # request_form's
REQUESTER_PHONE = "+8613800138000"


def recording(db: Database, clock: FakeClock) -> tuple[Services, RecordingScheduler]:
    recorder = RecordingScheduler()
    return build_services(make_config(), db, clock, scheduler=recorder), recorder


def announcements(recorder: RecordingScheduler, order_id: int) -> list[str]:
    return [
        message.text
        for key, (message, _) in recorder.enqueued.items()
        if key.startswith(f"publish:{order_id}:")
    ]


async def for_someone_else(services: Services, org: Org, **publication: object) -> OrderDTO:
    """A resident's request for 老张, published."""
    resident = await person(services, 1001, "王芳")
    form = request_form(
        org,
        description=DESCRIPTION,
        beneficiary_name=NAME,
        beneficiary_phone="139 0013 9000",
        beneficiary_address=ADDRESS,
    )
    order = await services.orders.create_request(resident, form)
    places = publication.pop("places", 1)
    approved = await services.orders.approve(
        await boss(services),
        order.id,
        Publication(places=int(places), **publication),  # type: ignore[arg-type]
    )
    await services.campaigns.materialise()  # the fan-out, after the commit
    return approved


async def test_the_announcement_says_what_was_asked_and_when_grabbing_opens(
    db: Database, clock: FakeClock, services: Services, org: Org
) -> None:
    await volunteers(db, org, 2)
    s, recorder = recording(db, clock)
    now_open = await for_someone_else(s, org)
    later = await for_someone_else(s, org, opens_at=START + timedelta(hours=5))
    [text, _] = announcements(recorder, now_open.id)
    assert "买些米、油和蔬菜，大约200元 &lt;b&gt;&amp;" in text  # whole, and escaped
    assert ZH("grab.announced_open") in text and "⏰" not in text
    [text, _] = announcements(recorder, later.id)
    assert ZH("grab.announced_opens", opens="2026-03-01 22:00") in text  # Shanghai time
    for text in announcements(recorder, now_open.id) + announcements(recorder, later.id):
        for secret in (NAME, PHONE, ADDRESS, REQUESTER_ADDRESS, "13800138000"):
            assert secret not in text


async def test_an_activity_is_announced_with_its_title_and_text(
    db: Database, clock: FakeClock, services: Services, org: Org
) -> None:
    await volunteers(db, org, 1)
    s, recorder = recording(db, clock)
    actor = await boss(s)
    form = request_form(org, title="  浓情重阳节·温暖志愿行 ", description="陪老人包饺子")
    order = await s.orders.create_activity(actor, form, Publication(places=20))
    await s.campaigns.materialise()
    assert order.title == "浓情重阳节·温暖志愿行"
    [text] = announcements(recorder, order.id)
    assert "<b>浓情重阳节·温暖志愿行</b>\n陪老人包饺子" in text
    # in a list: the title alone; a request: its description on one shortened line
    assert common.order_about(ZH, order, short=True) == ZH(
        "order.about_title", title="浓情重阳节·温暖志愿行"
    )
    request = await s.orders.create_request(
        await person(s, 1002), request_form(org, description="第一行\n" + "很长的描述" * 30)
    )
    short = common.order_about(ZH, request, short=True)
    assert "\n" not in short and short.endswith("…") and len(short) < 70
    with pytest.raises(InvalidValue) as long_title:
        await s.orders.create_activity(
            actor, request_form(org, title="节" * 101), Publication(places=1)
        )
    assert (long_title.value.field, long_title.value.reason) == ("title", "too_long")


@pytest.mark.parametrize("language", ["zh_CN", "en"])
async def test_the_place_message_shows_the_person_helped_and_then_the_requester(
    db: Database, services: Services, org: Org, language: str
) -> None:
    tr = get_translator(language)
    order = await for_someone_else(services, org)
    (volunteer,) = await volunteers(db, org, 1)
    claim = await services.claims.grab(volunteer, order.id)
    category = await services.org.category(order.category)
    requester = await services.orders.requester_name(order)
    assert requester == "王芳"
    text = place_text(tr, claim, ZONE, category, requester)
    assert (
        tr(
            "grab.contact_behalf",
            name=NAME,
            address=ADDRESS,
            phone=PHONE,
            requester="王芳",
            requester_phone=REQUESTER_PHONE,
            requester_address=REQUESTER_ADDRESS,
        )
        in text
    )
    assert "买些米、油和蔬菜，大约200元 &lt;b&gt;&amp;" in text


async def test_the_hidden_place_message_keeps_neither_person(
    db: Database, services: Services, org: Org
) -> None:
    order = await for_someone_else(services, org)
    (volunteer,) = await volunteers(db, org, 1)
    claim = await services.claims.grab(volunteer, order.id)
    await services.contact.record(claim.id, volunteer.telegram_id, 501)
    async with db.transaction() as session:
        assert await services.contact.hide_for_claim(session, claim.id) == 1
    async with db.read() as session:
        [edit] = await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "edit"))
    text = edit.payload["text"]
    for detail in (NAME, PHONE, ADDRESS, REQUESTER_PHONE, REQUESTER_ADDRESS, "王芳"):
        assert detail not in text
    assert order.number in text and ZH.raw("contact.hidden") in text


async def test_a_long_description_still_fits_the_place_message(
    db: Database, services: Services, org: Org
) -> None:
    order = await activity(services, org, places=1, guidance="带" * 2000)
    (volunteer,) = await volunteers(db, org, 1)
    claim = await services.claims.grab(volunteer, order.id)
    long = replace(claim.order, description="描述" * 1000)
    category = await services.org.category(order.category)
    text = grabs.place_text(ZH, long, category, ZONE)
    assert len(text) <= common.MAX_TEXT and "…" in text


def test_publishing_with_these_defaults() -> None:
    """A place per helper asked (at most 200), the configured rate, any team, the
    category's guidance alone, open at once, the request's community."""

    class Asked:
        helpers_requested = 3

    assert default_publication(Asked()) == Publication(places=3)  # type: ignore[arg-type]
    Asked.helpers_requested = 500
    assert default_publication(Asked()).places == 200  # type: ignore[arg-type]
    assert Publication(places=3).scope == "community"
