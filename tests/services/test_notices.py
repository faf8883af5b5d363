"""Notices to other people go through the scheduler interface, in the transaction of the
change that caused them: with a recorder in its place (what was asked) and with the
database scheduler (what the outbox holds after the commit)."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select

from bot.app import build_services
from bot.container import Services
from bot.messages.notifier import BUILDERS
from bot.services.kernel.dto import Recipient
from bot.services.kernel.errors import InvalidValue
from bot.services.kernel.scheduling import RecordingScheduler
from bot.services.people.notices import CoordinatorAppointed, CoordinatorRemoved
from storage.database import Database
from storage.models import OutboxMessage
from tests.support.services import COMMUNITY, FakeClock, Org, coordinator, form, make_config, person


def recording(db: Database, clock: FakeClock) -> tuple[Services, RecordingScheduler]:
    recorder = RecordingScheduler()
    return build_services(make_config(), db, clock, scheduler=recorder), recorder


async def test_registration_notice_asks_each_coordinator_with_buttons(
    db: Database, clock: FakeClock, services: Services, org: Org
) -> None:
    svc, recorder = recording(db, clock)
    boss = await coordinator(svc, 2001, COMMUNITY)
    other = await coordinator(svc, 2002, COMMUNITY)
    user = await person(svc, 1001, language_code="en")
    result = await svc.volunteers.register(user.id, form(org, real_name="Alice <b>&"))

    told = {m.chat_id: (key, m) for key, (m, _at) in recorder.enqueued.items()}
    assert set(told) == {boss.telegram_id, other.telegram_id}
    assert {r.telegram_id for r in result.notify} == set(told)
    key, message = told[boss.telegram_id]
    assert key.startswith(f"volunteer.pending:{user.id}:")
    assert "Alice &lt;b&gt;&amp;" in message.text  # escaped for HTML
    assert [b.callback_data for b in message.buttons[0]] == [f"va:{user.id}:1", f"va:{user.id}:0"]


async def test_nothing_is_queued_when_the_change_fails(
    db: Database, clock: FakeClock, services: Services, org: Org
) -> None:
    svc, recorder = recording(db, clock)
    await coordinator(svc, 2001, COMMUNITY)
    user = await person(svc, 1001)
    try:
        await svc.volunteers.register(user.id, form(org, phone="123"))
    except InvalidValue:
        pass
    assert recorder.enqueued == {}


async def test_decision_and_appointment_notices_land_in_the_outbox(
    db: Database, services: Services, org: Org
) -> None:
    boss = await coordinator(services, 2001, org[COMMUNITY].code)
    admin = await coordinator(services, 2000, "hanyang")
    user = await person(services, 1001, language_code="en")
    await services.volunteers.register(user.id, form(org))
    await services.volunteers.decide(boss, user.id, approve=True)
    await person(services, 3001)
    await services.coordinators.appoint(admin, 3001, org["longyang"].id)
    async with db.read() as session:
        rows = {r.dedup_key.split(":")[0]: r for r in await session.scalars(select(OutboxMessage))}
    assert set(rows) == {"volunteer.pending", "volunteer.decided", "coordinator.appointed"}
    assert rows["volunteer.decided"].chat_id == 1001
    assert "approved" in rows["volunteer.decided"].payload["text"]
    assert rows["coordinator.appointed"].chat_id == 3001
    assert all(r.status == "queued" for r in rows.values())


def test_a_coordinators_notice_goes_to_the_coordinator_it_is_about() -> None:
    """``to`` from the DTO the notice is about (kernel/notify.py ToPerson); removal keeps
    its own key and builder though it has appointment's fields."""
    boss = SimpleNamespace(user_id=3, telegram_id=2001, language="en")
    appointed = CoordinatorAppointed(boss, 9)  # type: ignore[arg-type]
    removed = CoordinatorRemoved(boss, 9)  # type: ignore[arg-type]
    assert appointed.to == removed.to == Recipient(2001, "en")
    assert (appointed.key, removed.key) == ("coordinator.appointed:3:9", "coordinator.removed:3:9")
    assert BUILDERS[type(removed)] is not BUILDERS[type(appointed)]
