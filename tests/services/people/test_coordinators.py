"""CoordinatorService: admins from config/CLI, appointing and removing coordinators
strictly below one's own unit, every change audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.container import Services
from bot.services.kernel.errors import InvalidValue, NotAllowed, NotFound, NotInScope, UnknownUser
from storage.database import Database
from storage.models import AuditEntry, CoordinatorBinding, User
from tests.support.services import (
    COMMUNITY,
    DISTRICT,
    OTHER_COMMUNITY,
    OTHER_STREET,
    STREET,
    Org,
    audit_rows,
    coordinator,
    count,
    person,
)


async def bindings(db: Database) -> dict[int, tuple[int, int | None]]:
    """telegram id -> (unit id, appointed by user id)."""
    async with db.read() as session:
        rows = await session.execute(
            select(
                User.telegram_id, CoordinatorBinding.unit_id, CoordinatorBinding.appointed_by_id
            ).join(User, User.id == CoordinatorBinding.user_id)
        )
        return {tid: (unit, by) for tid, unit, by in rows.all()}


# ---- add_admin ------------------------------------------------------------------------


async def test_add_admin_binds_someone_never_seen(
    services: Services, org: Org, db: Database
) -> None:
    result = await services.coordinators.add_admin(9001, DISTRICT, label="config")

    assert result.previous_unit is None
    c = result.coordinator
    assert (c.telegram_id, c.unit, c.name, c.language) == (9001, org[DISTRICT], "9001", "zh_CN")
    assert await bindings(db) == {9001: (org[DISTRICT].id, None)}
    admin = await services.users.get(9001)
    assert admin.is_admin and admin.coordinator_unit == org[DISTRICT]

    [audit] = await audit_rows(db)
    assert (audit.action, audit.actor_id, audit.actor_label) == ("coordinator.bind", None, "config")
    assert (audit.unit_id, audit.target_kind, audit.target_id) == (
        org[DISTRICT].id,
        "user",
        c.user_id,
    )
    assert audit.detail == {"telegram_id": 9001, "unit": DISTRICT, "previous_unit": None}


async def test_add_admin_keeps_the_names_of_someone_known(services: Services, org: Org) -> None:
    await person(services, 9001, "罗杰", language_code="en")
    result = await services.coordinators.add_admin(9001, COMMUNITY, label="cli")
    assert (result.coordinator.name, result.coordinator.language) == ("罗杰", "en")
    assert (await services.users.get(9001)).first_name == "罗杰"


async def test_add_admin_moves_and_says_from_where(
    services: Services, org: Org, db: Database
) -> None:
    await services.coordinators.add_admin(9001, STREET, label="cli")
    moved = await services.coordinators.add_admin(9001, DISTRICT, label="config")

    assert moved.previous_unit == org[STREET]
    assert moved.coordinator.unit == org[DISTRICT]
    assert await bindings(db) == {9001: (org[DISTRICT].id, None)}
    audit = await audit_rows(db, "coordinator.bind")
    assert [(a.actor_label, a.detail["unit"], a.detail["previous_unit"]) for a in audit] == [
        ("cli", STREET, None),
        ("config", DISTRICT, STREET),
    ]


async def test_add_admin_again_changes_nothing(services: Services, org: Org, db: Database) -> None:
    await services.coordinators.add_admin(9001, DISTRICT, label="config")
    again = await services.coordinators.add_admin(9001, DISTRICT, label="config")
    assert again.coordinator.unit == org[DISTRICT]
    assert len(await audit_rows(db)) == 1
    assert await count(db, CoordinatorBinding) == 1


async def test_add_admin_unknown_unit(services: Services, org: Org, db: Database) -> None:
    with pytest.raises(InvalidValue) as info:
        await services.coordinators.add_admin(9001, "nowhere", label="cli")
    assert (info.value.field, info.value.reason) == ("unit", "not_found")
    assert info.value.values == {"code": "nowhere"}
    assert await count(db, User) == 0
    assert await count(db, AuditEntry) == 0


# ---- appoint --------------------------------------------------------------------------


async def test_admin_appoints_a_community_coordinator(
    services: Services, org: Org, db: Database
) -> None:
    admin = await coordinator(services, 9001, DISTRICT)
    future = await person(services, 3001, "Luo", language_code="en")

    result = await services.coordinators.appoint(admin, 3001, org[COMMUNITY].id)

    assert result.previous_unit is None
    c = result.coordinator
    assert (c.user_id, c.telegram_id, c.name, c.language, c.unit) == (
        future.id, 3001, "Luo", "en", org[COMMUNITY]
    )  # fmt: skip
    assert (await bindings(db))[3001] == (org[COMMUNITY].id, admin.id)
    assert (await services.users.get(3001)).coordinator_unit == org[COMMUNITY]
    [audit] = await audit_rows(db, "coordinator.appoint")
    assert (audit.actor_id, audit.unit_id, audit.target_id) == (
        admin.id, org[COMMUNITY].id, future.id
    )  # fmt: skip
    assert audit.detail == {"unit": COMMUNITY, "previous_unit": None}


async def test_moving_someone_from_below(services: Services, org: Org, db: Database) -> None:
    street = await coordinator(services, 9001, STREET)
    await coordinator(services, 3001, COMMUNITY)

    result = await services.coordinators.appoint(street, 3001, org.grid(2).id)

    assert result.previous_unit == org[COMMUNITY]
    assert (await bindings(db))[3001] == (org.grid(2).id, street.id)
    [audit] = await audit_rows(db, "coordinator.appoint")
    assert audit.detail == {"unit": org.grid(2).code, "previous_unit": COMMUNITY}


@pytest.mark.parametrize(
    ("actor_unit", "target_unit"),
    [
        (STREET, STREET),  # one's own level
        (STREET, DISTRICT),  # above
        (STREET, OTHER_STREET),  # a sibling
        (STREET, OTHER_COMMUNITY),  # below another street
        (COMMUNITY, STREET),
        (COMMUNITY, COMMUNITY),
    ],
)
async def test_appoint_only_strictly_below(
    services: Services, org: Org, db: Database, actor_unit: str, target_unit: str
) -> None:
    actor = await coordinator(services, 9001, actor_unit)
    await person(services, 3001)
    before = len(await audit_rows(db))
    with pytest.raises(NotInScope):
        await services.coordinators.appoint(actor, 3001, org[target_unit].id)
    assert 3001 not in await bindings(db)
    assert len(await audit_rows(db)) == before


async def test_appoint_refusals(services: Services, org: Org, db: Database) -> None:
    admin = await coordinator(services, 9001, DISTRICT)
    street = await coordinator(services, 9002, STREET)
    peer = await coordinator(services, 9003, STREET)
    resident = await person(services, 3001)
    before_bindings = await bindings(db)
    before_audit = len(await audit_rows(db))

    with pytest.raises(InvalidValue) as oneself:  # with its own reason
        await services.coordinators.appoint(street, street.telegram_id, org[COMMUNITY].id)
    assert (oneself.value.field, oneself.value.reason) == ("who", "self")
    with pytest.raises(InvalidValue):  # and so at the question already
        await services.coordinators.candidate(street, street.telegram_id)
    assert (await services.coordinators.candidate(street, 3001)).name == "User3001"
    with pytest.raises(UnknownUser):  # never started the bot
        await services.coordinators.appoint(street, 5555, org[COMMUNITY].id)
    with pytest.raises(NotAllowed):  # not a coordinator at all
        await services.coordinators.appoint(resident, 9002, org[COMMUNITY].id)
    with pytest.raises(NotFound):
        await services.coordinators.appoint(street, 3001, 987654)
    with pytest.raises(NotInScope):  # moving someone bound at one's own level
        await services.coordinators.appoint(street, peer.telegram_id, org[COMMUNITY].id)
    with pytest.raises(NotInScope):  # moving someone bound above
        await services.coordinators.appoint(street, admin.telegram_id, org[COMMUNITY].id)

    assert await bindings(db) == before_bindings
    assert len(await audit_rows(db)) == before_audit
    assert await count(db, User) == 4  # the unknown user was not created


async def test_moving_someone_from_another_branch_is_refused(
    services: Services, org: Org, db: Database
) -> None:
    street = await coordinator(services, 9001, STREET)
    await coordinator(services, 3001, OTHER_COMMUNITY)
    with pytest.raises(NotInScope):
        await services.coordinators.appoint(street, 3001, org[COMMUNITY].id)
    assert (await bindings(db))[3001] == (org[OTHER_COMMUNITY].id, None)


# ---- remove ---------------------------------------------------------------------------


async def test_remove_a_coordinator_below(services: Services, org: Org, db: Database) -> None:
    street = await coordinator(services, 9001, STREET)
    target = await coordinator(services, 3001, COMMUNITY)

    removed = await services.coordinators.remove(street, target.id)

    assert (removed.user_id, removed.unit) == (target.id, org[COMMUNITY])
    assert 3001 not in await bindings(db)
    assert (await services.users.get(3001)).coordinator_unit is None
    [audit] = await audit_rows(db, "coordinator.remove")
    assert (audit.actor_id, audit.unit_id, audit.target_id, audit.detail) == (
        street.id, org[COMMUNITY].id, target.id, {"unit": COMMUNITY}
    )  # fmt: skip


async def test_remove_refusals(services: Services, org: Org, db: Database) -> None:
    admin = await coordinator(services, 9001, DISTRICT)
    street = await coordinator(services, 9002, STREET)
    peer = await coordinator(services, 9003, STREET)
    elsewhere = await coordinator(services, 9004, OTHER_COMMUNITY)
    resident = await person(services, 3001)
    below = await coordinator(services, 3002, COMMUNITY)
    before_bindings = await bindings(db)
    before_audit = len(await audit_rows(db))

    for target in (street, peer, admin, elsewhere):  # oneself, same level, above, elsewhere
        with pytest.raises(NotInScope):
            await services.coordinators.remove(street, target.id)
    with pytest.raises(NotFound):  # not a coordinator
        await services.coordinators.remove(street, resident.id)
    with pytest.raises(NotFound):
        await services.coordinators.remove(street, 987654)
    with pytest.raises(NotAllowed):
        await services.coordinators.remove(resident, below.id)

    assert await bindings(db) == before_bindings
    assert len(await audit_rows(db)) == before_audit


# ---- below, lookups -------------------------------------------------------------------


async def test_below_lists_only_strictly_below(services: Services, org: Org) -> None:
    admin = await coordinator(services, 9001, DISTRICT)
    await coordinator(services, 9002, DISTRICT)  # another admin: same level
    street = await coordinator(services, 9101, STREET)
    await coordinator(services, 9102, STREET)
    await coordinator(services, 9201, COMMUNITY)
    await coordinator(services, 9301, org.grid(1).code)
    await coordinator(services, 9401, OTHER_STREET)
    await coordinator(services, 9501, OTHER_COMMUNITY)

    async def below(actor_id: int) -> set[int]:
        actor = await services.users.get(actor_id)
        return {c.telegram_id for c in await services.coordinators.below(actor)}

    assert await below(admin.telegram_id) == {9101, 9102, 9201, 9301, 9401, 9501}
    assert await below(street.telegram_id) == {9201, 9301}
    assert await below(9201) == {9301}
    assert await below(9301) == set()
    assert await below(9401) == {9501}
    with pytest.raises(NotAllowed):
        await services.coordinators.below(await person(services, 3001))


async def test_find_telegram_id(services: Services) -> None:
    await person(services, 3001, username="LuoJie")
    find = services.coordinators.find_telegram_id
    assert await find("3001") == 3001
    assert await find(" 3001 ") == 3001
    assert await find("@luojie") == 3001
    assert await find("@LUOJIE") == 3001
    for unknown in ("4001", "@nobody"):
        with pytest.raises(UnknownUser):
            await find(unknown)
    for garbage in ("luojie", "@", "", "-3001", "30 01"):
        with pytest.raises(InvalidValue) as info:
            await find(garbage)
        assert (info.value.field, info.value.reason) == ("who", "format")


async def test_appointable_units(services: Services, org: Org) -> None:
    street = await coordinator(services, 9001, STREET)
    units = await services.coordinators.appointable_units(street, None)
    assert [u.code for u in units] == [COMMUNITY]
    grids = await services.coordinators.appointable_units(street, org[COMMUNITY].id)
    assert [u.code for u in grids] == [org.grid(n).code for n in (1, 2, 3)]

    with pytest.raises(NotInScope):
        await services.coordinators.appointable_units(street, org[OTHER_STREET].id)
    with pytest.raises(NotInScope):
        await services.coordinators.appointable_units(street, org[DISTRICT].id)
    with pytest.raises(NotFound):
        await services.coordinators.appointable_units(street, 987654)
    with pytest.raises(NotAllowed):
        await services.coordinators.appointable_units(await person(services, 3001), None)

    admin = await coordinator(services, 9002, DISTRICT)
    streets = await services.coordinators.appointable_units(admin, None)
    assert len(streets) == 11 and {u.kind for u in streets} == {"street"}


async def test_every_change_is_audited(services: Services, org: Org, db: Database) -> None:
    await services.coordinators.add_admin(9001, DISTRICT, label="config")
    admin = await services.users.get(9001)
    for tid in (3001, 3002):
        await person(services, tid)
    await services.coordinators.appoint(admin, 3001, org[STREET].id)
    await services.coordinators.appoint(admin, 3002, org[COMMUNITY].id)
    await services.coordinators.appoint(admin, 3002, org[OTHER_COMMUNITY].id)
    user = await services.users.get(3001)
    await services.coordinators.remove(admin, user.id)

    actions = [(a.action, a.actor_id) for a in await audit_rows(db)]
    assert actions == [
        ("coordinator.bind", None),
        ("coordinator.appoint", admin.id),
        ("coordinator.appoint", admin.id),
        ("coordinator.appoint", admin.id),
        ("coordinator.remove", admin.id),
    ]
