"""Coordinators' broadcasts (bot/services/broadcasts/broadcasting.py), on SQLite and
PostgreSQL: the audience's filters select exactly whom a brute-force reading of random
data selects (muted and out-of-scope volunteers never); sending commits the broadcast,
its campaign and its audit entry at once and the fan-out writes one copy per person;
the words are checked as Telegram parses them; rights are the coordinator's as the
database has them now; volunteers mute categories."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.container import Services
from bot.i18n import get_translator
from bot.services.broadcasts.broadcasting import BROADCAST
from bot.services.broadcasts.drafts import BroadcastDraft
from bot.services.broadcasts.text import check_text
from bot.services.kernel.errors import InvalidValue, NotAllowed, NotInScope
from storage.database import Database
from storage.enums import ApprovalState, BroadcastCategory
from storage.models import (
    Broadcast,
    Campaign,
    Order,
    OutboxMessage,
    User,
    VolunteerProfile,
    VolunteerTeam,
)
from storage.repositories import passbook as passbook_repo
from tests.support.broadcasts import activity_answers
from tests.support.orders import volunteers
from tests.support.points import completed
from tests.support.services import (
    COMMUNITY,
    DISTRICT,
    OTHER_COMMUNITY,
    STREET,
    FakeClock,
    Org,
    audit_rows,
    coordinator,
    queued,
)

CATEGORIES = [c.value for c in BroadcastCategory]


def draft(**values: object) -> BroadcastDraft:
    base: dict[str, object] = {"text": "<b>重阳节</b> 召集", "kind": "activities"}
    base.update(values)
    return BroadcastDraft.model_validate(base)


async def copies(db: Database, broadcast_id: int) -> list[int]:
    """The chats the broadcast's copies are queued for, one row each."""
    return sorted(r.chat_id for r in await queued(db, f"broadcast:{broadcast_id}:"))


async def test_the_audience_is_exactly_what_a_brute_force_reading_selects(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    rng = random.Random(20261204)
    # hours served: 2 h for three (a real order, served and completed)
    _, _, two_hours, _ = await completed(db, services, org, clock, 3, hours=2)
    people = [
        *two_hours,
        *await volunteers(db, org, 30),
        *await volunteers(db, org, 20, community_code=OTHER_COMMUNITY),
    ]
    now = clock.now()
    muted: dict[int, set[str]] = {}
    teams: dict[int, set[int]] = {}
    seen: dict[int, object] = {}
    pending: set[int] = set()
    async with db.transaction() as session:
        for p in people:
            days = rng.choice([None, 1, 5, 20, 60])
            last = None if days is None else now - timedelta(days=days)
            seen[p.id] = last
            await session.execute(update(User).where(User.id == p.id).values(last_seen_at=last))
            chosen = set(rng.sample([t.id for t in org.teams], rng.randint(0, 2)))
            teams[p.id] = chosen
            await session.execute(
                VolunteerTeam.__table__.delete().where(VolunteerTeam.user_id == p.id)
            )
            for team in chosen:
                session.add(VolunteerTeam(user_id=p.id, team_id=team))
            muted[p.id] = set(rng.sample(CATEGORIES, rng.randint(0, 2)))
            if rng.random() < 0.1:
                pending.add(p.id)
                await session.execute(
                    update(VolunteerProfile)
                    .where(VolunteerProfile.user_id == p.id)
                    .values(status=ApprovalState.PENDING.value)
                )
    for p in people:  # through the service, as /settings does
        for category in muted[p.id]:
            await services.broadcasts.set_muted(p, category, True)
    async with db.read() as session:
        minutes = {p.id: await passbook_repo.minutes_since(session, p.id, None) for p in people}
    assert {minutes[p.id] for p in two_hours} == {120}

    path_of = {u.id: u.path for u in org.units.values()}
    district = await coordinator(services, 9001, DISTRICT)
    units = [org[DISTRICT], org[STREET], org[COMMUNITY], org[OTHER_COMMUNITY]]
    sizes = set()
    for _ in range(30):
        unit = rng.choice(units)
        chosen_teams = rng.sample([t.id for t in org.teams], rng.choice([0, 0, 1, 2]))
        hours = rng.choice([None, None, None, 1, 2, 3])  # 2: exactly theirs
        days = rng.choice([None, None, 3, 30])
        category = rng.choice(CATEGORIES)
        d = draft(
            unit_id=unit.id,
            team_ids=sorted(chosen_teams),
            min_hours=hours,
            active_days=days,
            kind=category,
        )
        expected = {
            p.id
            for p in people
            if p.id not in pending
            and path_of[p.community_id or 0].startswith(unit.path)
            and (not chosen_teams or teams[p.id] & set(chosen_teams))
            and (hours is None or minutes[p.id] >= hours * 60)
            and (
                days is None
                or (seen[p.id] is not None and seen[p.id] >= now - timedelta(days=days))
            )
            and category not in muted[p.id]
        }
        audience = await services.broadcasts.audience(district, d)
        async with db.read() as session:
            got: list[int] = []
            after = 0
            while page := await audience.page(session, after, 7, "zh_CN"):
                got += [m.user_id for m in page]
                after = page[-1].user_id
            assert await audience.count(session) == len(expected)
        assert got == sorted(expected)  # each once, in keyset order
        assert await services.broadcasts.count(district, d) == len(expected)
        sizes.add(len(expected))
    assert len(sizes) > 8 and 0 in sizes  # the filters really narrow, differently


async def test_sending_commits_the_broadcast_at_once_and_the_fan_out_writes_one_copy_each(
    db: Database, services: Services, org: Org
) -> None:
    street = await coordinator(services, 9002, STREET)
    here = await volunteers(db, org, 5)
    elsewhere = await volunteers(db, org, 3, community_code=OTHER_COMMUNITY)  # another street
    await services.broadcasts.set_muted(here[0], "news", True)  # another kind: still told
    await services.broadcasts.set_muted(here[1], "activities", True)
    services.campaigns.page_size = 2
    sent = await services.broadcasts.send(street, draft(photo="SBXPHO1"))
    assert sent.recipients == 4
    assert await copies(db, sent.id) == []  # the press waits for one row, not for 4
    async with db.read() as session:
        row = await session.get(Broadcast, sent.id)
        assert row is not None and row.campaign_id is not None
        campaign = await session.get(Campaign, row.campaign_id)
        assert campaign is not None and (campaign.kind, campaign.state) == (BROADCAST, "running")
    [entry] = await audit_rows(db, "broadcast.sent")
    assert entry.actor_id == street.id and entry.target_id == sent.id
    assert entry.detail["recipients"] == 4 and entry.detail["text"] == "<b>重阳节</b> 召集"

    assert await services.campaigns.materialise() == 4
    told = {p.telegram_id for p in here} - {here[1].telegram_id}
    assert await copies(db, sent.id) == sorted(told)
    assert not {p.telegram_id for p in elsewhere} & set(await copies(db, sent.id))
    async with db.read() as session:
        rows = list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.campaign_id == row.campaign_id)
            )
        )
    assert {(r.kind, r.payload["file"], r.priority) for r in rows} == {("photo", "SBXPHO1", 10)}
    assert await services.campaigns.materialise() == 0  # nothing twice
    [listed] = (await services.broadcasts.listing(street)).items
    assert (listed.id, listed.recipients, listed.figures.waiting) == (sent.id, 4, 4)


async def test_a_cancelled_broadcast_tells_nobody_else(
    db: Database, services: Services, org: Org
) -> None:
    street = await coordinator(services, 9003, STREET)
    await volunteers(db, org, 6)
    services.campaigns.page_size = 2
    sent = await services.broadcasts.send(street, draft())
    await services.campaigns.step(await _campaign(db, sent.id))
    async with db.transaction() as session:
        await session.execute(
            update(Broadcast).where(Broadcast.id == sent.id).values(state="cancelled")
        )
    assert await services.campaigns.materialise() == 0
    assert len(await copies(db, sent.id)) == 2


async def _campaign(db: Database, broadcast_id: int) -> int:
    async with db.read() as session:
        row = await session.get(Broadcast, broadcast_id)
        assert row is not None and row.campaign_id is not None
        return row.campaign_id


async def test_rights_are_checked_when_counting_and_sending(
    db: Database, services: Services, org: Org
) -> None:
    await volunteers(db, org, 2)
    community = await coordinator(services, 9004, COMMUNITY)
    street_wide = draft(unit_id=org[STREET].id)
    with pytest.raises(NotInScope):
        await services.broadcasts.count(community, street_wide)
    with pytest.raises(NotInScope):
        await services.broadcasts.send(community, street_wide)
    assert await services.broadcasts.count(community, draft()) == 2  # their own unit
    # removed by the street's coordinator: as the database has them now, no rights
    street = await coordinator(services, 9007, STREET)
    await services.coordinators.remove(street, community.id)
    removed = await services.users.get(community.telegram_id)
    with pytest.raises(NotAllowed):
        await services.broadcasts.send(removed, draft())
    async with db.read() as session:
        assert list(await session.scalars(select(Broadcast))) == []


async def test_nobody_in_the_audience_is_refused_and_nothing_is_written(
    db: Database, services: Services, org: Org
) -> None:
    street = await coordinator(services, 9005, STREET)
    with pytest.raises(InvalidValue) as refused:
        await services.broadcasts.send(street, draft())
    assert (refused.value.field, refused.value.reason) == ("audience", "empty")
    async with db.read() as session:
        assert list(await session.scalars(select(Broadcast))) == []
        assert list(await session.scalars(select(Campaign))) == []


@pytest.mark.parametrize(
    ("words", "photo", "reason"),
    [
        ("", False, "empty"),
        ("  <b> </b> ", False, "empty"),
        ("<b>unclosed", False, "html"),
        ("<div>not Telegram's</div>", False, "html_near"),  # with the words around it
        ("a & b", False, "html_near"),
        ("字" * 4097, False, "too_long"),
        ("😀" * 2049, False, "too_long"),  # 4,098 UTF-16 units
        ("<b>" + "x" * 1025 + "</b>", True, "too_long"),
    ],
)
def test_words_telegram_would_refuse_are_refused_while_composing(
    words: str, photo: bool, reason: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_text(words, with_photo=photo)
    assert (refused.value.field, refused.value.reason) == ("broadcast_text", reason)


def test_a_refusal_with_a_place_says_the_words_around_it() -> None:
    with pytest.raises(InvalidValue) as refused:
        check_text("重阳节活动 报名 & 集合 在社区活动室门口", with_photo=False)
    assert refused.value.values["near"] == "重阳节活动 报名 & 集合 在社区活动室门…"


def test_words_at_the_limits_pass() -> None:
    assert check_text("<b>" + "字" * 4096 + "</b>", with_photo=False).startswith("<b>")
    assert check_text("x" * 1024, with_photo=True) == "x" * 1024
    assert check_text(" a &amp; b ", with_photo=False) == "a &amp; b"


async def test_volunteers_mute_and_unmute_categories(
    db: Database, services: Services, org: Org
) -> None:
    (v,) = await volunteers(db, org, 1)
    assert await services.broadcasts.set_muted(v, "news", True) == {"news"}
    assert await services.broadcasts.set_muted(v, "news", True) == {"news"}  # once
    assert await services.broadcasts.set_muted(v, "district", True) == {"news", "district"}
    assert await services.broadcasts.set_muted(v, "news", False) == {"district"}
    with pytest.raises(InvalidValue):
        await services.broadcasts.set_muted(v, "gossip", True)
    boss = await coordinator(services, 9006, STREET)  # not a volunteer
    with pytest.raises(NotAllowed):
        await services.broadcasts.set_muted(boss, "news", True)


async def test_a_broadcast_is_also_posted_in_the_unit_s_group_when_asked(
    db: Database, services: Services, org: Org
) -> None:
    street = await coordinator(services, 9008, STREET)
    await volunteers(db, org, 2)
    with pytest.raises(InvalidValue) as refused:  # no group or channel yet
        await services.broadcasts.send(street, draft(to_channel=True))
    assert refused.value.field == "channel"
    services.broadcasts.channels = {STREET: -1001111}  # [units.longyang] channel_id
    assert await services.broadcasts.channel(org[STREET].id) == -1001111
    await services.broadcasts.set_channel(street, -1002222)  # /setchannel in a group: wins
    assert await services.broadcasts.channel(org[STREET].id) == -1002222
    sent = await services.broadcasts.send(street, draft(to_channel=True))
    async with db.read() as session:
        [posted] = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.dedup_key == f"broadcast.channel:{sent.id}")
        )
    assert (posted.chat_id, posted.payload["text"]) == (-1002222, "<b>重阳节</b> 召集")
    assert "buttons" not in posted.payload  # no mute button in a group
    assert [e.detail["chat_id"] for e in await audit_rows(db, "broadcast.channel")] == [-1002222]
    await services.broadcasts.set_channel(street, None)  # /setchannel off: the config's again
    assert await services.broadcasts.channel(org[STREET].id) == -1001111


async def test_a_broadcast_can_carry_an_activity_whose_places_are_grabbed_from_it(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    community = await coordinator(services, 9009, COMMUNITY)
    people = await volunteers(db, org, 3)
    carried = activity_draft(org, clock, places=2)
    sent = await services.broadcasts.send(community, carried)
    async with db.read() as session:
        row = await session.get(Broadcast, sent.id)
        assert row is not None and row.order_id is not None
        order = await session.get(Order, row.order_id)
    assert order is not None
    # words of one line: its text, no title (the place message would say them twice)
    assert (order.places, order.scope, order.title) == (2, "community", None)
    assert order.description == "重阳节 召集"
    assert await services.campaigns.materialise() == 3
    [copy, *_] = await queued(db, f"broadcast:{sent.id}:")
    grab_row, mute_row = copy.payload["buttons"]
    assert grab_row[0]["callback_data"] == f"gr:{order.id}"
    assert mute_row[0]["callback_data"] == f"mu:{sent.id}"
    assert await queued(db, f"publish:{order.id}:") == []  # no announcement of its own
    claim = await services.claims.grab(people[0], order.id)
    assert claim.order.id == order.id


def activity_draft(org: Org, clock: FakeClock, **changes: Any) -> BroadcastDraft:
    starts = clock.now() + timedelta(days=2)
    values = {"unit_id": org[COMMUNITY].id} | activity_answers(org[COMMUNITY].id, 1, starts)
    return draft(**(values | changes))


async def test_copies_made_once_the_places_are_gone_offer_the_waitlist(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    """The places went before this page of copies was written: the words go with the
    note that they are gone and the waitlist's button; once the activity is cancelled
    the rest are not sent at all (as announcements)."""
    community = await coordinator(services, 9011, COMMUNITY)
    first, *_ = await volunteers(db, org, 3)
    sent = await services.broadcasts.send(community, activity_draft(org, clock))
    assert sent.order_id is not None
    await services.claims.grab(first, sent.order_id)  # before any copy is written
    assert await services.campaigns.materialise() == 3
    copies = await queued(db, f"broadcast:{sent.id}:")
    t = get_translator("zh_CN")
    for copy in copies:
        join_row, mute_row = copy.payload["buttons"]
        assert [(b["text"], b["callback_data"]) for b in join_row] == [
            (t.plain("grab.button_join_waitlist"), f"gw:{sent.order_id}")
        ]
        assert mute_row[0]["callback_data"] == f"mu:{sent.id}"
        assert copy.payload["text"] == f"<b>重阳节</b> 召集\n\n{t('grab.full')}"
    one = await services.broadcasts.one(sent.id)
    assert one is not None and (one.places, one.taken) == (1, 1)


async def test_an_activity_s_community_must_be_in_the_street_it_is_broadcast_to(
    db: Database, services: Services, org: Org, clock: FakeClock
) -> None:
    street = await coordinator(services, 9012, STREET)
    await volunteers(db, org, 1)
    elsewhere = org[OTHER_COMMUNITY].id
    with pytest.raises(InvalidValue) as refused:
        await services.broadcasts.send(
            street, activity_draft(org, clock, unit_id=org[STREET].id, community_id=elsewhere)
        )
    assert (refused.value.field, refused.value.reason) == ("community", "not_found")
    async with db.read() as session:
        assert list(await session.scalars(select(Order))) == []  # nothing created


async def test_an_activity_is_refused_on_a_district_wide_broadcast(
    db: Database, services: Services, org: Org
) -> None:
    district = await coordinator(services, 9010, DISTRICT)
    await volunteers(db, org, 1)
    with pytest.raises(InvalidValue) as refused:
        await services.broadcasts.send(district, draft(unit_id=org[DISTRICT].id, places=2))
    assert (refused.value.field, refused.value.reason) == ("places", "audience")
