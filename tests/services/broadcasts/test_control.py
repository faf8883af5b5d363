"""A broadcast while it goes (bot/services/broadcasts/control.py), on SQLite and
PostgreSQL: pause holds its queued copies and the fan-out, resume lets them go, cancel
settles every copy not sent; each press checked against the presser's rights now; the
progress rounds edit the progress message only when it changes, and mark it done."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.container import Services
from bot.services.broadcasts.control import PAUSED
from bot.services.broadcasts.drafts import BroadcastDraft
from bot.services.kernel.dto import UserDTO
from bot.services.kernel.errors import AlreadyDecided, NotAllowed, NotInScope
from storage.database import Database
from storage.models import Job, OutboxMessage
from tests.support.broadcasts import activity_answers
from tests.support.orders import volunteers
from tests.support.services import (
    COMMUNITY,
    OTHER_STREET,
    STREET,
    FakeClock,
    Org,
    audit_rows,
    coordinator,
    queued,
)


async def copies(db: Database, broadcast_id: int) -> list[OutboxMessage]:
    return await queued(db, f"broadcast:{broadcast_id}:")


async def edits(db: Database, broadcast_id: int) -> list[OutboxMessage]:
    return await queued(db, f"broadcast.progress:{broadcast_id}:")


async def started(services: Services, db: Database, org: Org, n: int = 6) -> tuple[UserDTO, int]:
    street = await coordinator(services, 9101, STREET)
    await volunteers(db, org, n)
    services.campaigns.page_size = 2
    draft = BroadcastDraft(text="召集", kind="activities")  # type: ignore[arg-type]
    sent = await services.broadcasts.send(street, draft)
    await services.broadcasts.attach_progress(sent.id, street.telegram_id, 77)
    return street, sent.id


async def test_pause_holds_the_copies_and_the_fan_out_and_resume_lets_them_go(
    db: Database, services: Services, org: Org
) -> None:
    street, bid = await started(services, db, org)
    campaign = (await services.broadcasts.progress(bid)).broadcast
    assert campaign.state == "sending"
    first = await services.campaigns.running()
    await services.campaigns.step(first[0])  # one page written: 2 copies queued
    progress = await services.broadcasts.pause(street, bid)
    assert progress.broadcast.state == "paused"
    assert {r.due_at for r in await copies(db, bid)} == {PAUSED}  # out of the sender's reach
    assert await services.campaigns.materialise() == 0  # the fan-out waits, cursor kept
    assert len(await copies(db, bid)) == 2
    with pytest.raises(AlreadyDecided):
        await services.broadcasts.pause(street, bid)

    await services.broadcasts.resume(street, bid)
    assert PAUSED not in {r.due_at for r in await copies(db, bid)}
    assert await services.campaigns.materialise() == 4
    rows = await copies(db, bid)
    assert len(rows) == 6 and len({r.chat_id for r in rows}) == 6  # each once
    audited = [(e.action, e.actor_id) for e in await audit_rows(db) if e.target_id == bid]
    assert ("broadcast.paused", street.id) in audited and (
        "broadcast.resumed",
        street.id,
    ) in audited


async def test_cancel_settles_every_copy_not_sent_and_stops_the_fan_out(
    db: Database, services: Services, org: Org
) -> None:
    street, bid = await started(services, db, org)
    await services.campaigns.step((await services.campaigns.running())[0])
    async with db.transaction() as session:  # one held for someone who blocked the bot
        first = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedup_key.startswith(f"broadcast:{bid}:"))
        )
        assert first is not None
        first.status = "held"
    progress = await services.broadcasts.cancel(street, bid)
    assert progress.broadcast.state == "cancelled" and progress.finished
    assert {r.status for r in await copies(db, bid)} == {"cancelled"}
    assert await services.campaigns.materialise() == 0
    assert len(await copies(db, bid)) == 2
    with pytest.raises(AlreadyDecided):
        await services.broadcasts.resume(street, bid)


async def test_presses_are_checked_against_the_presser_s_rights_now(
    db: Database, services: Services, org: Org
) -> None:
    street, bid = await started(services, db, org)
    other = await coordinator(services, 9102, OTHER_STREET)
    below = await coordinator(services, 9103, COMMUNITY)  # below the broadcast's street
    for stranger in (other, below):
        with pytest.raises(NotInScope):
            await services.broadcasts.pause(stranger, bid)
        with pytest.raises(NotInScope):
            await services.broadcasts.cancel(stranger, bid)
    district = await coordinator(services, 9104, "hanyang")
    await services.broadcasts.pause(district, bid)  # above it: may
    await services.coordinators.remove(district, street.id)
    removed = await services.users.get(street.telegram_id)
    with pytest.raises(NotAllowed):
        await services.broadcasts.resume(removed, bid)
    assert (await services.broadcasts.progress(bid)).broadcast.state == "paused"


async def test_progress_rounds_edit_only_on_change_and_mark_it_done(
    db: Database, services: Services, org: Org
) -> None:
    _, bid = await started(services, db, org, n=3)
    assert await services.broadcasts.report() == 1  # 0 of 3
    assert await services.broadcasts.report() == 0  # nothing changed: no edit
    await services.campaigns.materialise()
    assert await services.broadcasts.report() == 0  # written, none tried: the same text
    async with db.transaction() as session:  # the sender delivered them
        for row in await session.scalars(
            select(OutboxMessage).where(OutboxMessage.dedup_key.startswith(f"broadcast:{bid}:"))
        ):
            row.status = "sent"
    assert await services.broadcasts.report() == 1  # the final report
    progress = await services.broadcasts.progress(bid)
    assert progress.finished and progress.broadcast.state == "done"
    assert progress.figures.delivered == 3
    assert await services.broadcasts.report() == 0  # done: no more rounds
    last = (await edits(db, bid))[-1]
    assert (last.kind, last.payload["edit_message_id"], last.payload.get("buttons")) == (
        "edit",
        77,
        None,
    )


async def test_the_report_keeps_counting_the_activity_s_places_until_it_starts(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    """Done sending, the report still shows the places as they are: a place taken, given
    up and taken again is edited in each time (taken back at 1 of 1 is a change too);
    once the activity started the rounds leave it."""
    boss = await coordinator(services, 9102, COMMUNITY)
    first, second = await volunteers(db, org, 2)
    starts = clock.now() + timedelta(days=2)
    draft = BroadcastDraft.model_validate(
        {"text": "召集", "kind": "activities", "unit_id": org[COMMUNITY].id}
        | activity_answers(org[COMMUNITY].id, 1, starts)
    )
    sent = await services.broadcasts.send(boss, draft)
    assert sent.order_id is not None
    await services.broadcasts.attach_progress(sent.id, boss.telegram_id, 78)
    await services.campaigns.materialise()
    async with db.transaction() as session:  # the sender delivered them
        for row in await session.scalars(
            select(OutboxMessage).where(OutboxMessage.dedup_key.startswith(f"broadcast:{sent.id}:"))
        ):
            row.status = "sent"
    assert await services.broadcasts.report() == 1  # the final report: 0 of 1 taken
    assert (await services.broadcasts.progress(sent.id)).broadcast.state == "done"
    assert await services.broadcasts.report() == 0  # nothing changed

    def taken(row: OutboxMessage) -> str:
        return re.findall(r"(\d+) / 1", row.payload["text"])[-1]

    claim = await services.claims.grab(first, sent.order_id)
    assert await services.broadcasts.report() == 1
    assert taken((await edits(db, sent.id))[-1]) == "1"
    await services.claims.cancel(first, claim.id)
    assert await services.broadcasts.report() == 1
    assert taken((await edits(db, sent.id))[-1]) == "0"
    await services.claims.grab(second, sent.order_id)
    assert await services.broadcasts.report() == 1  # 1 of 1 again: shown again
    assert taken((await edits(db, sent.id))[-1]) == "1"
    clock.advance(days=3)  # the activity started: its report is final
    assert await services.broadcasts.report() == 0


async def test_a_scheduled_broadcast_starts_at_its_time_with_rights_checked_again(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    street = await coordinator(services, 9111, STREET)
    await volunteers(db, org, 3)
    at = clock.now() + timedelta(hours=20)
    draft = BroadcastDraft(text="召集", kind="news", send_at=at)  # type: ignore[arg-type]
    later = await services.broadcasts.send(street, draft)
    assert (later.state, later.send_at) == ("scheduled", at)
    assert await services.campaigns.running() == []  # nothing until its time
    async with db.read() as session:
        [job] = await session.scalars(select(Job).where(Job.key == f"broadcast.start:{later.id}"))
    assert job.due_at == at

    clock.advance(hours=20)
    async with db.transaction() as session:
        await services.broadcasts.start_scheduled(session, later.id)
    assert (await services.broadcasts.progress(later.id)).broadcast.state == "sending"
    assert await services.campaigns.materialise() == 3

    # another, whose author lost their post before its time: dropped, not sent
    second = await services.broadcasts.send(
        street, draft.model_copy(update={"send_at": clock.now() + timedelta(hours=1)})
    )
    await services.coordinators.remove(await coordinator(services, 9112, "hanyang"), street.id)
    async with db.transaction() as session:
        await services.broadcasts.start_scheduled(session, second.id)
    assert (await services.broadcasts.progress(second.id)).broadcast.state == "cancelled"
    assert "no longer coordinates" in (await audit_rows(db, "broadcast.dropped"))[0].detail["why"]


async def test_a_scheduled_broadcast_can_be_cancelled_before_its_time(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    street = await coordinator(services, 9113, STREET)
    await volunteers(db, org, 2)
    draft = BroadcastDraft(text="召集", kind="news", send_at=clock.now() + timedelta(days=1))  # type: ignore[arg-type]
    later = await services.broadcasts.send(street, draft)
    progress = await services.broadcasts.cancel(street, later.id)
    assert progress.finished and progress.broadcast.state == "cancelled"
    async with db.read() as session:
        [job] = await session.scalars(select(Job).where(Job.key == f"broadcast.start:{later.id}"))
    assert job.status == "cancelled"
    async with db.transaction() as session:  # the job found anyway: nothing
        await services.broadcasts.start_scheduled(session, later.id)
    assert await services.campaigns.running() == []


async def test_a_scheduled_broadcast_s_report_counts_its_time_from_its_start(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    """Composed 20 hours ahead and sent in a minute: "about 1 minute", not 1,200."""
    from bot.i18n import get_translator
    from bot.messages.broadcasts import progress_text
    from tests.support.chat import shown

    street = await coordinator(services, 9114, STREET)
    await volunteers(db, org, 2)
    draft = BroadcastDraft(text="召集", kind="news", send_at=clock.now() + timedelta(hours=20))  # type: ignore[arg-type]
    later = await services.broadcasts.send(street, draft)
    clock.advance(hours=20)
    async with db.transaction() as session:
        await services.broadcasts.start_scheduled(session, later.id)
    await services.campaigns.materialise()
    async with db.transaction() as session:  # the sender delivered them
        for row in await session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.dedup_key.startswith(f"broadcast:{later.id}:")
            )
        ):
            row.status = "sent"
    clock.advance(seconds=40)
    progress = await services.broadcasts.progress(later.id)
    assert progress.finished
    t = get_translator("zh_CN")
    report = shown(
        t, "broadcast.report", id=later.id, minutes=1, delivered=2, unreachable=0, failed=0
    )
    text = str(progress_text(t, progress, "Asia/Shanghai"))
    assert re.sub(r"<[^>]+>", "", text) == report
