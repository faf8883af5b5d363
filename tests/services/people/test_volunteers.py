"""VolunteerService: registration, approval by the coordinators of the volunteer's unit,
profile changes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from bot.container import Services
from bot.services.kernel.dto import Recipient, UserDTO
from bot.services.kernel.errors import (
    AlreadyDecided,
    InvalidValue,
    NotAllowed,
    NotFound,
    NotInScope,
)
from bot.services.people.volunteers import PAGE_SIZE
from storage.database import Database
from storage.models import AuditEntry, User, VolunteerProfile, VolunteerTeam
from tests.support.services import (
    COMMUNITY,
    DISTRICT,
    OTHER_COMMUNITY,
    OTHER_STREET,
    STREET,
    FakeClock,
    Org,
    audit_rows,
    coordinator,
    count,
    form,
    person,
)


async def profile_row(db: Database, user_id: int) -> VolunteerProfile | None:
    async with db.read() as session:
        return await session.get(VolunteerProfile, user_id)


async def team_rows(db: Database, user_id: int) -> set[int]:
    async with db.read() as session:
        stmt = select(VolunteerTeam.team_id).where(VolunteerTeam.user_id == user_id)
        return set(await session.scalars(stmt))


async def volunteer(
    services: Services, org: Org, telegram_id: int, community: str = COMMUNITY, **changes: Any
) -> UserDTO:
    """A user who registered as volunteer (pending when approval is required)."""
    user = await person(services, telegram_id)
    grid = changes.pop("grid_id", org.grid(1).id if community == COMMUNITY else None)
    await services.volunteers.register(
        user.id,
        form(org, community_id=org[community].id, grid_id=grid, real_name=f"V{telegram_id}",
             **changes),
    )  # fmt: skip
    return user


# ---- register -------------------------------------------------------------------------


async def test_register_pending_when_approval_is_required(
    services: Services, org: Org, db: Database, clock: FakeClock
) -> None:
    user = await person(services, 1001)
    result = await services.volunteers.register(user.id, form(org))

    v = result.volunteer
    assert (v.user_id, v.telegram_id, v.status) == (user.id, 1001, "pending")
    assert (v.real_name, v.phone) == ("王 芳", "+8613800138000")  # cleaned and normalised
    assert (v.community, v.grid) == (org[COMMUNITY], org.grid(1))
    assert [t.id for t in v.teams] == [org.teams[0].id, org.teams[2].id]
    assert v.consent_at == clock.now()

    row = await profile_row(db, user.id)
    assert row is not None
    assert (row.status, row.real_name, row.phone) == ("pending", "王 芳", "+8613800138000")
    assert (row.community_id, row.grid_id) == (org[COMMUNITY].id, org.grid(1).id)
    assert row.consent_at == clock.now()
    assert row.decided_by_id is None and row.decided_at is None
    assert await team_rows(db, user.id) == {org.teams[0].id, org.teams[2].id}
    assert (await services.users.get(1001)).community_id == org[COMMUNITY].id


async def test_register_approved_at_once_without_approval(
    open_services: Services, services: Services, org: Org, db: Database
) -> None:
    await coordinator(services, 2001, COMMUNITY)  # would be told, if approval were needed
    user = await person(open_services, 1001)
    result = await open_services.volunteers.register(user.id, form(org))
    assert result.volunteer.status == "approved"
    assert result.notify == ()
    row = await profile_row(db, user.id)
    assert row is not None and row.status == "approved"


async def test_register_keeps_an_existing_home_community(services: Services, org: Org) -> None:
    user = await person(services, 1001)
    await services.users.set_home_community(user.id, org[OTHER_COMMUNITY].id)
    await services.volunteers.register(user.id, form(org))
    assert (await services.users.get(1001)).community_id == org[OTHER_COMMUNITY].id


BAD_FORMS: list[tuple[str, Callable[[Org], dict[str, Any]], str, str]] = [
    ("empty name", lambda o: {"real_name": ""}, "name", "empty"),
    ("blank name", lambda o: {"real_name": " \t\n "}, "name", "empty"),
    ("long name", lambda o: {"real_name": "x" * 51}, "name", "too_long"),
    ("control char", lambda o: {"real_name": "Al\x00ice"}, "name", "bad_chars"),
    ("bell char", lambda o: {"real_name": "王\x07芳"}, "name", "bad_chars"),
    ("zero-width", lambda o: {"real_name": "王\u200b芳"}, "name", "bad_chars"),
    ("bad phone", lambda o: {"phone": "12345"}, "phone", "invalid"),
    ("no phone", lambda o: {"phone": ""}, "phone", "invalid"),
    ("letters", lambda o: {"phone": "call me"}, "phone", "invalid"),
    ("unknown unit", lambda o: {"community_id": 987654, "grid_id": None}, "community", "not_found"),
    ("a street", lambda o: {"community_id": o[STREET].id, "grid_id": None}, "community",
     "not_found"),
    ("a grid", lambda o: {"community_id": o.grid(1).id, "grid_id": None}, "community",
     "not_found"),
    ("other's grid", lambda o: {"community_id": o[OTHER_COMMUNITY].id, "grid_id": o.grid(2).id},
     "grid", "not_found"),
    ("street as grid", lambda o: {"grid_id": o[STREET].id}, "grid", "not_found"),
    ("unknown grid", lambda o: {"grid_id": 987654}, "grid", "not_found"),
    ("unknown team", lambda o: {"team_ids": (o.teams[0].id, 987654)}, "teams", "not_found"),
    ("no consent", lambda o: {"consent": False}, "consent", "required"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [pytest.param(c, f, r, id=name) for name, c, f, r in BAD_FORMS],
)
async def test_register_refuses_bad_input_and_writes_nothing(
    services: Services,
    org: Org,
    db: Database,
    changes: Callable[[Org], dict[str, Any]],
    field: str,
    reason: str,
) -> None:
    user = await person(services, 1001)
    with pytest.raises(InvalidValue) as info:
        await services.volunteers.register(user.id, form(org, **changes(org)))
    assert (info.value.field, info.value.reason) == (field, reason)
    assert await profile_row(db, user.id) is None
    assert await count(db, VolunteerTeam) == 0
    assert (await services.users.get(1001)).community_id is None


async def test_name_too_long_says_how_long(services: Services, org: Org) -> None:
    user = await person(services, 1001)
    with pytest.raises(InvalidValue) as info:
        await services.volunteers.register(user.id, form(org, real_name="名" * 60))
    assert info.value.values == {"max": 50, "length": 60}


async def test_bad_re_registration_leaves_the_profile_alone(
    services: Services, org: Org, db: Database
) -> None:
    user = await volunteer(services, org, 1001)
    before = await profile_row(db, user.id)
    teams = await team_rows(db, user.id)
    with pytest.raises(InvalidValue):
        await services.volunteers.register(
            user.id, form(org, real_name="New", team_ids=(org.teams[1].id, 987654))
        )
    after = await profile_row(db, user.id)
    assert before is not None and after is not None
    assert (after.real_name, after.status, after.phone) == (
        before.real_name,
        before.status,
        before.phone,
    )
    assert await team_rows(db, user.id) == teams


async def test_whether_the_phone_was_verified_is_kept(
    services: Services, org: Org, db: Database
) -> None:
    """Registered with Telegram's contact button: verified; a number typed later: not
    (the flag goes with the number); other changes keep it."""
    user = await volunteer(services, org, 4001, phone_verified=True)
    profile = await services.volunteers.profile(user.id)
    assert profile is not None and profile.phone_verified
    await services.volunteers.update(user.id, real_name="Renamed")
    assert (await profile_row(db, user.id)).phone_verified  # type: ignore[union-attr]
    result = await services.volunteers.update(user.id, phone="13800138001")
    assert not result.volunteer.phone_verified
    result = await services.volunteers.update(user.id, phone="13800138001", phone_verified=True)
    assert result.volunteer.phone_verified
    typed = await volunteer(services, org, 4002)
    assert not (await profile_row(db, typed.id)).phone_verified  # type: ignore[union-attr]


async def test_register_unknown_user(services: Services, org: Org) -> None:
    with pytest.raises(NotFound):
        await services.volunteers.register(987654, form(org))


async def test_re_registering_in_place_keeps_the_approval(
    services: Services, org: Org, db: Database, clock: FakeClock
) -> None:
    """An approved volunteer who registers again in the same community stays approved,
    and the record of who approved them stays with the approval."""
    boss = await coordinator(services, 2001, COMMUNITY)
    user = await volunteer(services, org, 1001)
    approved_at = clock.now()
    await services.volunteers.decide(boss, user.id, approve=True)
    clock.advance(days=1)

    again = await services.volunteers.register(user.id, form(org, real_name="王芳芳"))

    assert again.volunteer.status == "approved" and again.notify == ()
    row = await profile_row(db, user.id)
    assert row is not None and row.real_name == "王芳芳"
    # an approved profile always says who approved it and when
    assert (row.decided_by_id, row.decided_at) == (boss.id, approved_at)


async def test_re_registering_elsewhere_needs_approval_again(
    services: Services, org: Org, db: Database
) -> None:
    boss = await coordinator(services, 2001, COMMUNITY)
    other = await coordinator(services, 2002, OTHER_COMMUNITY)
    user = await volunteer(services, org, 1001)
    await services.volunteers.decide(boss, user.id, approve=True)

    again = await services.volunteers.register(
        user.id, form(org, community_id=org[OTHER_COMMUNITY].id, grid_id=None)
    )
    assert again.volunteer.status == "pending"
    assert again.notify == (Recipient(other.telegram_id, other.language),)


# ---- who is told ----------------------------------------------------------------------


async def notified(services: Services, org: Org, telegram_id: int) -> set[int]:
    user = await person(services, telegram_id)
    result = await services.volunteers.register(user.id, form(org))
    return {r.telegram_id for r in result.notify}


async def test_nobody_to_tell_without_coordinators(services: Services, org: Org) -> None:
    assert await notified(services, org, 1001) == set()


async def test_the_nearest_level_with_coordinators_is_told(services: Services, org: Org) -> None:
    # coordinators who must never be told about a volunteer of 龙湖东岸社区
    await coordinator(services, 3001, OTHER_COMMUNITY)
    await coordinator(services, 3002, OTHER_STREET)
    await coordinator(services, 3003, org.grid(2).code)  # the volunteer chose grid 1

    await coordinator(services, 2001, DISTRICT)
    assert await notified(services, org, 1001) == {2001}

    await coordinator(services, 2002, STREET)
    assert await notified(services, org, 1002) == {2002}

    await coordinator(services, 2003, COMMUNITY)
    await coordinator(services, 2004, COMMUNITY)
    assert await notified(services, org, 1003) == {2003, 2004}


async def test_recipients_carry_their_language(services: Services, org: Org) -> None:
    chosen = await coordinator(services, 2001, COMMUNITY)
    await services.users.set_language(chosen.id, "en")
    await person(services, 2002, language_code="en-US")
    await services.coordinators.add_admin(2002, COMMUNITY, label="test")
    await person(services, 2003, language_code="fr")
    await services.coordinators.add_admin(2003, COMMUNITY, label="test")

    user = await person(services, 1001)
    result = await services.volunteers.register(user.id, form(org))
    assert set(result.notify) == {
        Recipient(2001, "en"),
        Recipient(2002, "en"),
        Recipient(2003, "zh_CN"),
    }


# ---- pending --------------------------------------------------------------------------


async def test_pending_is_scoped_to_the_unit_and_below(services: Services, org: Org) -> None:
    here = [await volunteer(services, org, 1000 + n) for n in range(3)]
    there = [await volunteer(services, org, 1100 + n, OTHER_COMMUNITY) for n in range(2)]
    here_ids = {u.id for u in here}
    there_ids = {u.id for u in there}

    async def seen_by(telegram_id: int, unit: str) -> set[int]:
        actor = await coordinator(services, telegram_id, unit)
        page = await services.volunteers.pending(actor)
        assert page.total == len(page.items)
        return {v.user_id for v in page.items}

    assert await seen_by(2001, COMMUNITY) == here_ids
    assert await seen_by(2002, STREET) == here_ids
    assert await seen_by(2003, OTHER_COMMUNITY) == there_ids
    assert await seen_by(2004, OTHER_STREET) == there_ids
    assert await seen_by(2005, "sixin") == set()
    assert await seen_by(2006, DISTRICT) == here_ids | there_ids


async def test_decided_volunteers_leave_the_queue(services: Services, org: Org) -> None:
    boss = await coordinator(services, 2001, COMMUNITY)
    a, b, c = [await volunteer(services, org, 1000 + n) for n in range(3)]
    await services.volunteers.decide(boss, a.id, approve=True)
    await services.volunteers.decide(boss, b.id, approve=False)
    page = await services.volunteers.pending(boss)
    assert [v.user_id for v in page.items] == [c.id] and page.total == 1


async def test_pending_oldest_first_and_paged(
    services: Services, org: Org, clock: FakeClock
) -> None:
    users = [await person(services, 1000 + n) for n in range(7)]
    order = [users[i] for i in (4, 1, 6, 0, 3, 5, 2)]  # not the order of the user ids
    for user in order:
        clock.advance(minutes=1)
        await services.volunteers.register(user.id, form(org, real_name=f"V{user.telegram_id}"))
    boss = await coordinator(services, 2001, COMMUNITY)

    first = await services.volunteers.pending(boss)
    second = await services.volunteers.pending(boss, page=1)
    beyond = await services.volunteers.pending(boss, page=2)

    assert PAGE_SIZE == 5
    assert (first.page, first.pages, first.total, len(first.items)) == (0, 2, 7, 5)
    assert (second.page, second.pages, second.total, len(second.items)) == (1, 2, 7, 2)
    assert [v.user_id for v in first.items + second.items] == [u.id for u in order]
    assert (beyond.page, beyond.items) == (1, second.items)  # past the end: the last page


async def test_empty_queue_has_one_page(services: Services, org: Org) -> None:
    boss = await coordinator(services, 2001, COMMUNITY)
    page = await services.volunteers.pending(boss)
    assert (page.items, page.page, page.pages, page.total) == ((), 0, 1, 0)


async def test_pending_is_for_coordinators_only(services: Services, org: Org) -> None:
    approved = await coordinator(services, 2001, COMMUNITY)
    user = await volunteer(services, org, 1001)
    await services.volunteers.decide(approved, user.id, approve=True)
    for who in (await services.users.get(1001), await person(services, 1002)):
        with pytest.raises(NotAllowed):
            await services.volunteers.pending(who)


# ---- decide ---------------------------------------------------------------------------


async def test_approve_records_who_when_and_an_audit_row(
    services: Services, org: Org, db: Database, clock: FakeClock
) -> None:
    boss = await coordinator(services, 2001, COMMUNITY)
    user = await volunteer(services, org, 1001)
    when = clock.advance(hours=2)

    decision = await services.volunteers.decide(boss, user.id, approve=True)

    assert decision.approved and decision.volunteer.status == "approved"
    assert decision.volunteer.user_id == user.id
    row = await profile_row(db, user.id)
    assert row is not None
    assert (row.status, row.decided_by_id, row.decided_at) == ("approved", boss.id, when)
    audit = await audit_rows(db, "volunteer.approve")
    assert [(a.actor_id, a.unit_id, a.target_kind, a.target_id) for a in audit] == [
        (boss.id, org[COMMUNITY].id, "volunteer", user.id)
    ]


async def test_decline(services: Services, org: Org, db: Database) -> None:
    boss = await coordinator(services, 2001, STREET)  # a street coordinator decides too
    user = await volunteer(services, org, 1001)
    decision = await services.volunteers.decide(boss, user.id, approve=False)
    assert not decision.approved and decision.volunteer.status == "declined"
    row = await profile_row(db, user.id)
    assert row is not None and (row.status, row.decided_by_id) == ("declined", boss.id)
    audit = await audit_rows(db, "volunteer.decline")
    assert [(a.actor_id, a.target_id) for a in audit] == [(boss.id, user.id)]


async def test_decide_refuses_non_coordinators(services: Services, org: Org, db: Database) -> None:
    user = await volunteer(services, org, 1001)
    bystander = await person(services, 1002)
    with pytest.raises(NotAllowed) as info:
        await services.volunteers.decide(bystander, user.id, approve=True)
    assert not isinstance(info.value, NotInScope)
    with pytest.raises(NotAllowed):  # the volunteer themselves
        await services.volunteers.decide(await services.users.get(1001), user.id, approve=True)
    row = await profile_row(db, user.id)
    assert row is not None and row.status == "pending"
    assert await audit_rows(db, "volunteer.approve") == []


@pytest.mark.parametrize("unit", [OTHER_COMMUNITY, OTHER_STREET, "longyang.longhudongan.grid1"])
async def test_decide_refuses_coordinators_of_another_unit(
    services: Services, org: Org, db: Database, unit: str
) -> None:
    """Also a grid's coordinator: below the community of a volunteer who chose no grid."""
    user = await volunteer(services, org, 1001, grid_id=None)
    outsider = await coordinator(services, 2001, unit)
    with pytest.raises(NotInScope):
        await services.volunteers.decide(outsider, user.id, approve=True)
    row = await profile_row(db, user.id)
    assert row is not None and (row.status, row.decided_by_id) == ("pending", None)
    assert await count(db, AuditEntry) == 1  # the binding only


async def test_decide_unknown_volunteer(services: Services, org: Org) -> None:
    boss = await coordinator(services, 2001, COMMUNITY)
    resident = await person(services, 1001)
    for user_id in (resident.id, 987654):
        with pytest.raises(NotFound):
            await services.volunteers.decide(boss, user_id, approve=True)


@pytest.mark.parametrize("second", [True, False], ids=["approve", "decline"])
async def test_decide_only_once(
    services: Services, org: Org, db: Database, clock: FakeClock, second: bool
) -> None:
    boss = await coordinator(services, 2001, COMMUNITY)
    other = await coordinator(services, 2002, STREET)
    user = await volunteer(services, org, 1001)
    first_at = clock.now()
    await services.volunteers.decide(boss, user.id, approve=True)
    clock.advance(minutes=3)

    with pytest.raises(AlreadyDecided):
        await services.volunteers.decide(other, user.id, approve=second)

    row = await profile_row(db, user.id)
    assert row is not None
    assert (row.status, row.decided_by_id, row.decided_at) == ("approved", boss.id, first_at)
    audit = [a for a in await audit_rows(db) if a.action.startswith("volunteer.")]
    assert [(a.action, a.actor_id) for a in audit] == [("volunteer.approve", boss.id)]


async def test_nothing_to_decide_without_approval(
    open_services: Services, org: Org, db: Database
) -> None:
    boss = await coordinator(open_services, 2001, COMMUNITY)
    user = await volunteer(open_services, org, 1001)
    with pytest.raises(AlreadyDecided):
        await open_services.volunteers.decide(boss, user.id, approve=False)
    row = await profile_row(db, user.id)
    assert row is not None and row.status == "approved"


async def test_two_coordinators_racing_decide_once(
    services: Services, org: Org, db: Database
) -> None:
    community = await coordinator(services, 2001, COMMUNITY)
    street = await coordinator(services, 2002, STREET)
    users = [await volunteer(services, org, 1000 + n) for n in range(3)]

    for user in users:
        results = await asyncio.gather(
            services.volunteers.decide(community, user.id, approve=True),
            services.volunteers.decide(street, user.id, approve=False),
            return_exceptions=True,
        )
        won = [r for r in results if not isinstance(r, BaseException)]
        lost = [r for r in results if isinstance(r, BaseException)]
        assert len(won) == 1, results
        assert len(lost) == 1 and isinstance(lost[0], AlreadyDecided), results
        winner = community if results[0] is won[0] else street
        row = await profile_row(db, user.id)
        assert row is not None
        assert row.status == ("approved" if won[0].approved else "declined")
        assert row.decided_by_id == winner.id
        audit = [
            a for a in await audit_rows(db)
            if a.action.startswith("volunteer.") and a.target_id == user.id
        ]  # fmt: skip
        assert [a.actor_id for a in audit] == [winner.id]


# ---- update ---------------------------------------------------------------------------


async def approved_volunteer(services: Services, org: Org, telegram_id: int) -> UserDTO:
    boss = await coordinator(services, telegram_id + 50_000, COMMUNITY)
    user = await volunteer(services, org, telegram_id)
    await services.volunteers.decide(boss, user.id, approve=True)
    return user


async def test_moving_community_needs_approval_again(
    services: Services, org: Org, db: Database
) -> None:
    user = await approved_volunteer(services, org, 1001)
    there = await coordinator(services, 2001, OTHER_COMMUNITY)

    result = await services.volunteers.update(user.id, community_id=org[OTHER_COMMUNITY].id)

    v = result.volunteer
    assert (v.status, v.community, v.grid) == ("pending", org[OTHER_COMMUNITY], None)
    assert result.notify == (Recipient(there.telegram_id, there.language),)
    row = await profile_row(db, user.id)
    assert row is not None
    assert (row.status, row.community_id, row.grid_id) == ("pending", org[OTHER_COMMUNITY].id, None)
    assert (row.decided_by_id, row.decided_at) == (None, None)
    page = await services.volunteers.pending(there)
    assert [p.user_id for p in page.items] == [user.id]


async def test_moving_community_without_approval_keeps_the_status(
    open_services: Services, org: Org, db: Database
) -> None:
    await coordinator(open_services, 2001, OTHER_COMMUNITY)
    user = await volunteer(open_services, org, 1001)
    result = await open_services.volunteers.update(user.id, community_id=org[OTHER_COMMUNITY].id)
    assert (result.volunteer.status, result.notify) == ("approved", ())
    row = await profile_row(db, user.id)
    assert row is not None and (row.status, row.community_id) == (
        "approved",
        org[OTHER_COMMUNITY].id,
    )


async def test_other_changes_keep_the_approval(services: Services, org: Org, db: Database) -> None:
    user = await approved_volunteer(services, org, 1001)
    result = await services.volunteers.update(
        user.id,
        real_name=" Wang  Fang ",
        phone="+44 7400 123456",
        grid_id=org.grid(3).id,
        team_ids=[org.teams[6].id],
        community_id=org[COMMUNITY].id,  # the same community is no move
    )
    v = result.volunteer
    assert (v.status, v.real_name, v.phone) == ("approved", "Wang Fang", "+447400123456")
    assert v.grid == org.grid(3) and [t.id for t in v.teams] == [org.teams[6].id]
    assert result.notify == ()
    assert await team_rows(db, user.id) == {org.teams[6].id}

    cleared = await services.volunteers.update(user.id, grid_id=None)
    assert cleared.volunteer.grid is None
    row = await profile_row(db, user.id)
    assert row is not None and row.grid_id is None and row.status == "approved"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (lambda o: {"real_name": "Ok", "phone": "12345"}, "phone"),
        (lambda o: {"real_name": ""}, "name"),
        (lambda o: {"real_name": "Ok", "grid_id": o[STREET].id}, "grid"),
        (lambda o: {"real_name": "Ok", "community_id": o[STREET].id}, "community"),
        (lambda o: {"real_name": "Ok", "team_ids": [987654]}, "teams"),
    ],
    ids=["phone", "name", "grid", "community", "teams"],
)
async def test_bad_update_changes_nothing(
    services: Services,
    org: Org,
    db: Database,
    changes: Callable[[Org], dict[str, Any]],
    field: str,
) -> None:
    user = await approved_volunteer(services, org, 1001)
    before = await profile_row(db, user.id)
    teams = await team_rows(db, user.id)
    with pytest.raises(InvalidValue) as info:
        await services.volunteers.update(user.id, **changes(org))
    assert info.value.field == field
    after = await profile_row(db, user.id)
    assert before is not None and after is not None
    fields = ("real_name", "phone", "community_id", "grid_id", "status")
    assert [getattr(after, f) for f in fields] == [getattr(before, f) for f in fields]
    assert await team_rows(db, user.id) == teams


async def test_update_of_someone_who_never_registered(services: Services) -> None:
    user = await person(services, 1001)
    with pytest.raises(NotFound):
        await services.volunteers.update(user.id, real_name="X")
    assert await services.volunteers.profile(user.id) is None


async def test_profile_round_trip(services: Services, org: Org, db: Database) -> None:
    user = await volunteer(services, org, 1001)
    profile = await services.volunteers.profile(user.id)
    assert profile is not None and profile.real_name == "V1001"
    async with db.read() as session:
        row = await session.get(User, user.id)
    assert row is not None and row.community_id == org[COMMUNITY].id


async def test_a_grid_coordinator_sees_decides_and_is_told_about_their_grid(
    services: Services, org: Org
) -> None:
    grid_boss = await coordinator(services, 2101, org.grid(1).code)
    community_boss = await coordinator(services, 2102, COMMUNITY)
    in_grid = await person(services, 1001)
    elsewhere = await person(services, 1002)
    told = await services.volunteers.register(in_grid.id, form(org))  # grid 1
    await services.volunteers.register(elsewhere.id, form(org, grid_id=org.grid(2).id))

    assert [r.telegram_id for r in told.notify] == [grid_boss.telegram_id]
    assert [v.user_id for v in (await services.volunteers.pending(grid_boss)).items] == [in_grid.id]
    assert {v.user_id for v in (await services.volunteers.pending(community_boss)).items} == {
        in_grid.id,
        elsewhere.id,
    }
    with pytest.raises(NotInScope):
        await services.volunteers.decide(grid_boss, elsewhere.id, approve=True)
    decided = await services.volunteers.decide(grid_boss, in_grid.id, approve=True)
    assert decided.volunteer.status == "approved"
