"""评单: the prompt is planned once when an order completes, asked after
``prompt_after_minutes``, reminded once, expired (its buttons edited away); only the
requester rates, once per volunteer who served (no-shows left out; a team row when
more than five served); a low rating alerts the coordinators once, with the comment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.container import Services
from bot.services.kernel.dto import OrderDTO, UserDTO
from bot.services.kernel.errors import InvalidValue, NotAllowed, NotFound
from bot.services.ratings.common import AlreadyRated, RatingExpired
from bot.services.ratings.rating import TEAM_ROW
from storage.database import Database
from storage.models import Job, OutboxMessage, Rating, RatingPrompt
from tests.services.service_day.test_attendance import (
    STARTS,
    grabbed,
    outbox,
    requested,
    run_jobs,
    served,
)
from tests.support.orders import activity, boss, volunteers
from tests.support.services import FakeClock, Org, person

ASK_AFTER = timedelta(minutes=30)  # [ratings] defaults
REMIND_AFTER = timedelta(hours=24)
EXPIRE_AFTER = timedelta(days=7)


async def completed(
    db: Database, services: Services, org: Org, clock: FakeClock, n: int = 2
) -> tuple[UserDTO, OrderDTO, list[UserDTO], list[int]]:
    """A resident's order served by ``n`` volunteers, confirmed done by the resident."""
    resident, order, people, claims = await served(db, services, org, clock, n)
    for v, claim_id in zip(people, claims, strict=True):
        await services.attendance.check_out(v, claim_id)
    await services.attendance.confirm_completion(resident, order.id)
    return resident, order, people, claims


async def prompt_row(db: Database, order_id: int) -> RatingPrompt:
    async with db.read() as session:
        prompt = await session.scalar(select(RatingPrompt).where(RatingPrompt.order_id == order_id))
    assert prompt is not None
    return prompt


async def keys(db: Database, prefix: str) -> list[str]:
    async with db.read() as session:
        found = await session.scalars(
            select(OutboxMessage.dedup_key).where(OutboxMessage.dedup_key.startswith(prefix))
        )
    return sorted(found)


async def ratings_of(db: Database, order_id: int) -> list[Rating]:
    async with db.read() as session:
        return list(await session.scalars(select(Rating).where(Rating.order_id == order_id)))


async def test_the_prompt_is_planned_once_and_asked_later(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    resident, order, _, claims = await completed(db, services, org, clock)
    # the completion hook seen twice (a retried transaction …) plans nothing more
    async with db.transaction() as session:
        await services.ratings.plan(session, order)
    async with db.read() as session:
        prompts = list(await session.scalars(select(RatingPrompt)))
        jobs = {j.key: j for j in await session.scalars(select(Job)) if "rating" in j.key}
    assert len(prompts) == 1 and prompts[0].rater_id == resident.id and not prompts[0].team
    (prompt,) = prompts
    assert jobs[f"order:{order.id}:rating_ask"].due_at == clock.now() + ASK_AFTER
    assert jobs[f"order:{order.id}:rating_remind"].due_at == clock.now() + ASK_AFTER + REMIND_AFTER
    assert jobs[f"order:{order.id}:rating_expire"].due_at == prompt.expires_at
    assert prompt.expires_at == clock.now() + ASK_AFTER + EXPIRE_AFTER

    clock.advance(minutes=29)
    await run_jobs(db, clock, services)
    assert await keys(db, "rating.") == []
    clock.advance(minutes=1)
    await run_jobs(db, clock, services)
    asked = await outbox(db, f"rating.ask:{prompt.id}")
    assert asked is not None and asked.chat_id == resident.telegram_id
    assert asked.priority == 0  # a notice
    rows = asked.payload["buttons"]
    assert [r[1]["callback_data"] for r in rows] == [f"rs:{prompt.id}:{c}:1" for c in claims]
    assert all(len(r) == 6 for r in rows)  # the name, then 1–5 stars
    assert order.number in asked.payload["text"]


async def test_one_reminder_then_expiry_edits_the_buttons_away(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    resident, order, _, (c1, c2) = await completed(db, services, org, clock)
    clock.advance(minutes=30)
    await run_jobs(db, clock, services)
    prompt = await prompt_row(db, order.id)
    await services.ratings.rate(resident, prompt.id, c1, 4)
    # the prompt was delivered: Telegram's id for it is in its outbox row
    async with db.transaction() as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.dedup_key == f"rating.ask:{prompt.id}")
            .values(status="sent", telegram_message_id=777)
        )
    clock.advance(hours=24)
    await run_jobs(db, clock, services)
    reminder = await outbox(db, f"rating.remind:{prompt.id}")
    assert reminder is not None
    # only the volunteer still unrated keeps a row of stars
    assert [r[1]["callback_data"] for r in reminder.payload["buttons"]] == [
        f"rs:{prompt.id}:{c2}:1"
    ]
    clock.advance(days=2)
    async with db.transaction() as session:  # the reminder job run again: nothing more
        await services.ratings.remind_job(session, prompt.id)
    assert await keys(db, "rating.remind") == [f"rating.remind:{prompt.id}"]

    clock.advance(days=5)
    await run_jobs(db, clock, services)
    assert (await prompt_row(db, order.id)).state == "expired"
    edit = await outbox(db, f"rating.closed:rating.ask:{prompt.id}")
    assert edit is not None and edit.kind == "edit"
    assert edit.payload["edit_message_id"] == 777 and "buttons" not in edit.payload
    # the reminder was never sent: it is not sent now
    remind = await outbox(db, f"rating.remind:{prompt.id}")
    assert remind is not None and remind.status == "cancelled"
    with pytest.raises(RatingExpired):
        await services.ratings.rate(resident, prompt.id, c2, 5)
    assert len(await ratings_of(db, order.id)) == 1


async def test_a_prompt_found_after_its_expiry_is_not_asked(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    _resident, order, _, (_c1, _c2) = await completed(db, services, org, clock)
    clock.advance(days=8)  # the bot was down all week
    await run_jobs(db, clock, services)
    assert await keys(db, "rating.ask") == [] and await keys(db, "rating.remind") == []
    assert (await prompt_row(db, order.id)).state == "expired"


async def test_only_the_requester_rates_once_per_volunteer(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    resident, order, (v1, v2), (c1, c2) = await completed(db, services, org, clock)
    prompt = await prompt_row(db, order.id)
    rated: list[tuple[int, int, int]] = []

    async def hook(session: object, claim_id: int, volunteer_id: int, stars: int) -> None:
        rated.append((claim_id, volunteer_id, stars))

    services.ratings.on_rated.append(hook)
    stranger = await person(services, 7_200_001)
    for nobody in (stranger, v1, await boss(services)):
        with pytest.raises(NotAllowed):
            await services.ratings.rate(nobody, prompt.id, c1, 5)
    with pytest.raises(NotFound):
        await services.ratings.rate(resident, prompt.id + 1000, c1, 5)
    with pytest.raises(NotFound):  # not a claim of this order
        await services.ratings.rate(resident, prompt.id, c2 + 1000, 5)
    with pytest.raises(NotFound):
        await services.ratings.rate(resident, prompt.id, TEAM_ROW, 5)
    for stars in (0, 6):
        with pytest.raises(NotFound):
            await services.ratings.rate(resident, prompt.id, c1, stars)
    assert rated == [] and await ratings_of(db, order.id) == []

    view = await services.ratings.rate(resident, prompt.id, c1, 5)
    assert [p.stars for p in view.places] == [5, None] and not view.rated
    with pytest.raises(AlreadyRated):
        await services.ratings.rate(resident, prompt.id, c1, 1)
    (stored,) = await ratings_of(db, order.id)
    assert (stored.claim_id, stored.volunteer_id, stored.stars) == (c1, v1.id, 5)
    assert rated == [(c1, v1.id, 5)]
    view = await services.ratings.rate(resident, prompt.id, c2, 3)
    assert view.rated and rated == [(c1, v1.id, 5), (c2, v2.id, 3)]
    # a comment before is refused: it is handed in now, and a second one is refused
    done = await services.ratings.comment(resident, prompt.id, None)
    assert done.state == "done"
    with pytest.raises(AlreadyRated):
        await services.ratings.comment(resident, prompt.id, "again")
    assert (await services.ratings.my_rating(v1)).average == 5.0


async def test_a_team_row_when_six_served(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    resident, order, _people, claims = await completed(db, services, org, clock, n=6)
    prompt = await prompt_row(db, order.id)
    assert prompt.team
    clock.advance(minutes=30)
    await run_jobs(db, clock, services)
    asked = await outbox(db, f"rating.ask:{prompt.id}")
    assert asked is not None
    (row,) = asked.payload["buttons"]
    assert row[5]["callback_data"] == f"rs:{prompt.id}:{TEAM_ROW}:5"
    with pytest.raises(NotFound):  # no single volunteer's row on a team prompt
        await services.ratings.rate(resident, prompt.id, claims[0], 4)
    view = await services.ratings.rate(resident, prompt.id, TEAM_ROW, 4)
    assert view.rated and view.team_stars == 4
    stored = await ratings_of(db, order.id)
    assert sorted(r.claim_id for r in stored) == sorted(claims)
    assert all(r.team and r.stars == 4 for r in stored)
    with pytest.raises(AlreadyRated):
        await services.ratings.rate(resident, prompt.id, TEAM_ROW, 5)


async def test_no_shows_are_not_offered(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    resident, order = await requested(services, org, places=3)
    people = await volunteers(db, org, 3)
    claims = await grabbed(services, order, people)
    clock.advance(days=2)
    for v, claim_id in zip(people[:2], claims[:2], strict=True):
        await services.attendance.check_in(v, claim_id)
    clock.advance(minutes=30)
    await run_jobs(db, clock, services)  # the third is a no-show
    clock.advance(hours=2)
    for v, claim_id in zip(people[:2], claims[:2], strict=True):
        await services.attendance.check_out(v, claim_id)
    await services.attendance.confirm_completion(resident, order.id)
    prompt = await prompt_row(db, order.id)
    clock.advance(minutes=30)
    await run_jobs(db, clock, services)
    asked = await outbox(db, f"rating.ask:{prompt.id}")
    assert asked is not None
    offered = [r[1]["callback_data"].split(":")[2] for r in asked.payload["buttons"]]
    assert offered == [str(c) for c in claims[:2]]
    with pytest.raises(NotFound):
        await services.ratings.rate(resident, prompt.id, claims[2], 1)


async def test_a_low_rating_alerts_the_coordinators_once_with_the_comment(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    resident, order, (_v1, v2), (c1, c2) = await completed(db, services, org, clock)
    prompt = await prompt_row(db, order.id)
    await services.ratings.rate(resident, prompt.id, c1, 5)
    await services.ratings.rate(resident, prompt.id, c2, 2)
    with pytest.raises(InvalidValue) as too_long:
        await services.ratings.comment(resident, prompt.id, "太" * 501)
    assert too_long.value.reason == "too_long" and too_long.value.values["length"] == 501
    assert (await prompt_row(db, order.id)).state == "open"
    assert await keys(db, "rating.alert") == []

    await services.ratings.comment(resident, prompt.id, "<b>迟到</b> & 不耐烦")
    alerts = await keys(db, f"rating.alert:{prompt.id}:")
    assert alerts  # the community's coordinators
    told = await outbox(db, alerts[0])
    assert told is not None
    assert "&lt;b&gt;迟到&lt;/b&gt; &amp; 不耐烦" in told.payload["text"]
    assert "<b>迟到</b>" not in told.payload["text"]
    assert told.payload["buttons"][0][0]["callback_data"] == f"av:{order.id}"
    summary = await services.ratings.my_rating(v2)
    assert (summary.average, summary.count) == (2.0, 1)
    # the fallback job and the expiry later: no second alert
    clock.advance(days=8)
    await run_jobs(db, clock, services)
    assert await keys(db, f"rating.alert:{prompt.id}:") == alerts
    assert (await prompt_row(db, order.id)).comment == "<b>迟到</b> & 不耐烦"


async def test_an_unanswered_comment_question_still_alerts_once(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    resident, order, _, (c1, c2) = await completed(db, services, org, clock)
    prompt = await prompt_row(db, order.id)
    await services.ratings.rate(resident, prompt.id, c1, 1)
    await services.ratings.rate(resident, prompt.id, c2, 4)
    clock.advance(minutes=29)
    await run_jobs(db, clock, services)
    assert await keys(db, "rating.alert") == []
    clock.advance(minutes=1)
    await run_jobs(db, clock, services)
    alerts = await keys(db, f"rating.alert:{prompt.id}:")
    assert alerts
    told = await outbox(db, alerts[0])
    assert told is not None and "★☆☆☆☆" in told.payload["text"]
    async with db.transaction() as session:  # run twice: nothing more
        await services.ratings.alert_job(session, prompt.id)
    clock.advance(days=8)
    await run_jobs(db, clock, services)
    assert await keys(db, f"rating.alert:{prompt.id}:") == alerts
    assert (await prompt_row(db, order.id)).state == "done"  # stars all given


async def test_an_activity_has_no_prompt(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    coordinator = await boss(services)
    order = await activity(services, org, 1, starts_at=STARTS, actor=coordinator)
    (v,) = await volunteers(db, org, 1)
    (claim_id,) = await grabbed(services, order, [v])
    clock.advance(days=2)
    await services.attendance.check_in(v, claim_id)
    clock.advance(hours=2)
    await services.attendance.check_out(v, claim_id)
    await services.attendance.confirm_completion(coordinator, order.id)
    async with db.read() as session:
        assert list(await session.scalars(select(RatingPrompt))) == []
