"""ContactService.record under a burst (a grab storm's winners): the place messages
recorded at the same time share one transaction — one INSERT for all of them — and
each is still handled as on its own: recorded once, and hidden at once when the place
was given up meanwhile. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.container import Services
from storage.database import Database
from storage.models import ContactReveal
from tests.support.orders import activity, volunteers
from tests.support.services import Org, recorded_writes


async def test_concurrent_records_share_one_insert(
    db: Database, services: Services, org: Org
) -> None:
    order = await activity(services, org, places=5)
    people = await volunteers(db, org, 5)
    claims = [await services.claims.grab(v, order.id) for v in people]
    # one gave the place up before their place message was recorded
    await services.claims.cancel(people[4], claims[4].id)

    with recorded_writes(db) as writes:
        await asyncio.gather(
            *(
                services.contact.record(c.id, v.telegram_id, 700 + i)
                for i, (c, v) in enumerate(zip(claims, people, strict=True))
            ),
            services.contact.record(claims[0].id, people[0].telegram_id, 700),  # again: once
        )

    inserts = [w for w in writes if "INTO contact_reveals" in w]
    assert len(inserts) == 1
    async with db.read() as session:
        rows = list(await session.scalars(select(ContactReveal).order_by(ContactReveal.id)))
    assert [(r.claim_id, r.message_id) for r in rows] == [
        (c.id, 700 + i) for i, c in enumerate(claims)
    ]
    hidden = {r.claim_id for r in rows if r.hidden_at is not None}
    assert hidden == {claims[4].id}  # hidden at once; the others show it until the job


async def test_a_lone_record_is_a_batch_of_one(db: Database, services: Services, org: Org) -> None:
    order = await activity(services, org, places=1)
    (volunteer,) = await volunteers(db, org, 1)
    claim = await services.claims.grab(volunteer, order.id)
    await services.contact.record(claim.id, volunteer.telegram_id, 501)
    await services.contact.record(claim.id, volunteer.telegram_id, 501)
    async with db.read() as session:
        rows = list(await session.scalars(select(ContactReveal)))
    assert [(r.claim_id, r.chat_id, r.message_id, r.hidden_at) for r in rows] == [
        (claim.id, volunteer.telegram_id, 501, None)
    ]
