"""The resident's address and phone are hidden again from volunteers: each message that
showed them is recorded and, ``[orders] hide_contact_after_hours`` after the service
(or when the place is given up), edited through the outbox to a version without them.
The outbox's edits are sent with editMessageText (against the sandbox); an edit with
nothing left to do counts as done. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from telegram import Bot

from bot.config import DeliveryConfig
from bot.container import Services
from bot.delivery.sender import Sender
from bot.delivery.telegram_transport import TelegramTransport
from bot.i18n import get_translator
from bot.jobs.kinds import JobContext, default_registry
from bot.jobs.runner import JobRunner
from bot.messages import grabs
from bot.services.kernel.dto import ClaimDTO, OrderDTO
from bot.services.kernel.scheduling import Button, Outgoing
from bot.services.service_day.contact import hide_job_key
from handlers.grabs.grab import place_text
from sandbox import Sandbox
from storage.database import Database
from storage.models import ContactReveal, Job, OutboxMessage
from tests.support.orders import activity, boss, volunteers
from tests.support.services import FakeClock, Org

ZH, EN = get_translator("zh_CN"), get_translator("en")
ADDRESS = "龙湖东岸 3 栋 2 单元 401"
PHONE = "+8613800138000"
FAST = DeliveryConfig(rate_per_s=1000, per_chat_per_s=30, concurrency=4, poll_seconds=0.01)


async def reveals(db: Database) -> list[ContactReveal]:
    async with db.read() as session:
        return list(await session.scalars(select(ContactReveal).order_by(ContactReveal.id)))


async def edits(db: Database) -> dict[str, OutboxMessage]:
    async with db.read() as session:
        rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "edit"))
        return {row.dedup_key: row for row in rows}


def runner(db: Database, clock: FakeClock, services: Services) -> JobRunner:
    return JobRunner(db, clock, default_registry(), JobContext(clock, services))


async def held(services: Services, db: Database, org: Org) -> tuple[OrderDTO, ClaimDTO, int]:
    """An order with one place taken, its place message (id 501) recorded."""
    order = await activity(services, org, places=2)
    (volunteer,) = await volunteers(db, org, 1)
    claim = await services.claims.grab(volunteer, order.id)
    await services.contact.record(claim.id, volunteer.telegram_id, 501)
    return order, claim, volunteer.telegram_id


async def test_hidden_after_the_service(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    order, claim, chat = await held(services, db, org)
    await services.contact.record(claim.id, chat, 501)  # the same message again: once
    assert [(r.claim_id, r.chat_id, r.message_id) for r in await reveals(db)] == [
        (claim.id, chat, 501)
    ]
    async with db.read() as session:
        job = await session.scalar(select(Job).where(Job.key == hide_job_key(order.id)))
    assert job is not None and job.due_at == order.ends_at + timedelta(hours=24)

    run = runner(db, clock, services)
    clock.advance(hours=48 + 2 + 23, minutes=59)  # start + 2 h service + 23:59
    await run.tick()
    assert await edits(db) == {}
    clock.advance(minutes=1)
    await run.tick()

    [(key, row)] = (await edits(db)).items()
    (reveal,) = await reveals(db)
    assert key == f"contact.hide:{reveal.id}" and reveal.hidden_at == clock.now()
    assert (row.chat_id, row.payload["edit_message_id"]) == (chat, 501)
    text = row.payload["text"]
    assert ADDRESS not in text and PHONE not in text and "138" not in text
    assert ZH.raw("contact.hidden") in text and order.number in text
    assert "buttons" not in row.payload  # the guidance and cancel buttons go too
    category = await services.org.category(order.category)
    expected = place_text(ZH, claim, services.claims.timezone, category)
    expected = expected.replace(ADDRESS, ZH.raw("contact.hidden"))
    assert text == expected.replace(PHONE, ZH.raw("contact.hidden"))

    await services.contact.record(claim.id, chat, 501)  # recorded again late: no new edit
    clock.advance(hours=1)
    await run.tick()
    assert len(await edits(db)) == 1


async def test_the_place_text_is_the_handlers(services: Services, db: Database, org: Org) -> None:
    """bot/messages/grabs.py place_text (used for the hidden version) renders what
    handlers/grabs/grab.py shows, in both languages."""
    order = await activity(services, org, places=1, guidance="带 <购物袋> & 伞")
    (volunteer,) = await volunteers(db, org, 1)
    claim = await services.claims.grab(volunteer, order.id)
    category = await services.org.category(order.category)
    for t in (ZH, EN):
        assert grabs.place_text(t, order, category, "Asia/Shanghai") == place_text(
            t, claim, "Asia/Shanghai", category
        )
        assert "&lt;购物袋&gt; &amp;" in grabs.place_text(t, order, category, "Asia/Shanghai")


async def test_hidden_when_the_place_is_given_up(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    order, claim, chat = await held(services, db, org)
    volunteer = (await volunteers(db, org, 1))[0]
    other = await services.claims.grab(volunteer, order.id)
    await services.contact.record(other.id, volunteer.telegram_id, 777)
    async with db.transaction() as session:
        assert await services.contact.hide_for_claim(session, claim.id) == 1
    async with db.transaction() as session:
        assert await services.contact.hide_for_claim(session, claim.id) == 0  # once
    [row] = (await edits(db)).values()
    assert row.chat_id == chat and row.payload["edit_message_id"] == 501
    # the other volunteer still sees it until the service is over
    assert [r.message_id for r in await reveals(db) if r.hidden_at is None] == [777]

    # giving the place up hides it at once, in the cancellation's transaction
    await services.claims.cancel(volunteer, other.id)
    assert [r.message_id for r in await reveals(db) if r.hidden_at is None] == []
    assert {r.payload["edit_message_id"] for r in (await edits(db)).values()} == {501, 777}
    # and a place message recorded after its place was given up is hidden at once
    await services.contact.record(other.id, volunteer.telegram_id, 778)
    hidden = {r.payload["edit_message_id"]: r for r in (await edits(db)).values()}
    assert set(hidden) == {501, 777, 778}
    given_up = hidden[778].payload["text"]
    assert given_up.startswith(ZH.raw("grab.place_given_up").split("<b>")[0])
    assert ADDRESS not in given_up and ZH.raw("grab.got").split("<b>")[0] not in given_up


async def test_a_cancelled_order_is_hidden_from_all(
    db: Database, services: Services, org: Org
) -> None:
    requester = await boss(services)
    order = await activity(services, org, places=2, actor=requester)
    for message_id, volunteer in enumerate(await volunteers(db, org, 2), start=601):
        claim = await services.claims.grab(volunteer, order.id)
        await services.contact.record(claim.id, volunteer.telegram_id, message_id)
    await services.orders.cancel_by_requester(requester, order.id)  # hides, in its transaction
    assert {r.payload["edit_message_id"] for r in (await edits(db)).values()} == {601, 602}
    assert all(r.hidden_at is not None for r in await reveals(db))
    async with db.transaction() as session:
        assert await services.contact.hide_for_order(session, order.id) == 0  # once


# ---- the outbox's edits against the sandbox -------------------------------------------


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[Bot]:
    async with Bot(
        sandbox.token, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url
    ) as bot:
        yield bot


async def test_sender_edits_and_treats_nothing_to_do_as_done(
    db: Database, sandbox: Sandbox, bot: Bot, services: Services, clock: FakeClock
) -> None:
    user = sandbox.user(4242)
    sent = await bot.send_message(
        4242,
        f"📍 {ADDRESS}",
        reply_markup=None,
    )
    button = Button("OK", callback_data="ok:1")
    queued = {
        "edit:1": Outgoing(
            chat_id=4242, text="📍 <i>hidden</i>", kind="edit", edit_message_id=sent.message_id
        ),
        # the same text again: Telegram says "message is not modified"
        "edit:2": Outgoing(
            chat_id=4242, text="📍 <i>hidden</i>", kind="edit", edit_message_id=sent.message_id
        ),
        "edit:3": Outgoing(chat_id=4242, text="gone", kind="edit", edit_message_id=99_999),
        "edit:4": Outgoing(
            chat_id=4242,
            text="<b>unclosed",
            kind="edit",
            edit_message_id=sent.message_id,
            buttons=((button,),),
        ),
    }
    async with db.transaction() as session:
        for key, message in queued.items():
            await services.scheduler.enqueue(session, key, message)
    sender = Sender(services.outbox, TelegramTransport(bot), FAST)
    await sender.drain()

    async with db.read() as session:
        rows = {r.dedup_key: r for r in await session.scalars(select(OutboxMessage))}
    assert {k: rows[k].status for k in queued} == {
        "edit:1": "sent",
        "edit:2": "sent",  # not modified: done
        "edit:3": "sent",  # message to edit not found: done
        "edit:4": "failed",  # a real bad request still fails
    }
    assert rows["edit:1"].telegram_message_id == sent.message_id
    [message] = [m for m in user.messages if m.message_id == sent.message_id]
    assert message.text == "📍 hidden" and ADDRESS not in message.text
    assert len(sandbox.calls("editMessageText")) == 4


def test_an_edit_names_its_message() -> None:
    with pytest.raises(ValueError):
        Outgoing(chat_id=1, text="x", kind="edit")
    with pytest.raises(ValueError):
        Outgoing(chat_id=1, text="x", edit_message_id=5)
    edit = Outgoing(chat_id=1, text="x", kind="edit", edit_message_id=5)
    assert Outgoing.from_row(1, "edit", edit.payload(), None, 0, False) == edit
