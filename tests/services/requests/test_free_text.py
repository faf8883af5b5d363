"""Every free-text field the services keep drops bidirectional controls (U+202A–U+202E,
U+2066–U+2069) the same way (issue 12, item 17): an order's title, description,
address and beneficiary, a rejection's reason, a publication's guidance, an hours
correction's reason. The chat steps and these services share one function
(bot.services.kernel.validation.free_text)."""

from __future__ import annotations

from bot.container import Services
from bot.services.requests.publish import Publication
from storage.database import Database
from tests.services.service_day.test_attendance import served
from tests.support.orders import boss, request_form
from tests.support.services import FakeClock, Org, audit_rows, person

RLO, PDF, LRI, PDI = "\u202e", "\u202c", "\u2066", "\u2069"


def wrapped(text: str) -> str:
    return f"{RLO}{text}{PDF}{LRI}{PDI}"


async def test_a_request_keeps_its_texts_without_bidi_controls(
    services: Services, org: Org
) -> None:
    resident = await person(services, 1001)
    form = request_form(
        org,
        title=wrapped("浓情重阳节"),
        description=wrapped("陪老人聊天"),
        address=wrapped("龙湖东岸 3 栋"),
        beneficiary_name=wrapped("李奶奶"),
        beneficiary_phone="139 0013 9000",
        beneficiary_address=wrapped("七里庙 5 栋"),
    )
    order = await services.orders.create_request(resident, form)
    assert (order.title, order.description) == ("浓情重阳节", "陪老人聊天")
    assert order.address == "龙湖东岸 3 栋"
    assert (order.beneficiary_name, order.beneficiary_address) == ("李奶奶", "七里庙 5 栋")
    untitled = await services.orders.create_request(
        resident, request_form(org, title=f"{LRI}{PDI} ")
    )
    assert untitled.title is None  # nothing visible: no title, as for blanks


async def test_a_reason_and_guidance_without_bidi_controls(services: Services, org: Org) -> None:
    resident = await person(services, 1001)
    coordinator = await boss(services)
    first = await services.orders.create_request(resident, request_form(org))
    rejected = await services.orders.reject(coordinator, first.id, wrapped("不在服务范围"))
    assert rejected.reject_reason == "不在服务范围"

    second = await services.orders.create_request(resident, request_form(org))
    published = await services.orders.approve(
        coordinator, second.id, Publication(places=1, guidance=wrapped("带上口罩"))
    )
    assert published.guidance == "带上口罩"
    third = await services.orders.create_request(resident, request_form(org))
    nothing = await services.orders.approve(
        coordinator, third.id, Publication(places=1, guidance=f"{LRI}{PDI}")
    )
    assert nothing.guidance is None  # nothing visible: no guidance, as for blanks


async def test_an_hours_correction_reason_without_bidi_controls(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    _resident, _order, (v1, _v2), (c1, _c2) = await served(db, services, org, clock)
    await services.attendance.check_out(v1, c1)
    await services.attendance.correct_hours(await boss(services), c1, 90, wrapped("提前离开"))
    (entry,) = await audit_rows(db, "claim.correct_hours")
    assert entry.detail["reason"] == "提前离开"
