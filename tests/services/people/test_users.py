"""UserService: who is talking to the bot, their language and their roles."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.container import Services
from bot.services.kernel.dto import Role
from bot.services.kernel.errors import InvalidValue, NotFound
from bot.services.people.users import TelegramIdentity
from storage.database import Database
from storage.models import User
from tests.support.services import (
    COMMUNITY,
    DISTRICT,
    STREET,
    FakeClock,
    Org,
    build_services,
    coordinator,
    count,
    form,
    person,
    recorded_writes,
)


async def user_row(db: Database, telegram_id: int) -> User:
    async with db.read() as session:
        user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
    assert user is not None
    return user


# ---- touch ----------------------------------------------------------------------------


async def test_touch_creates_the_user_on_first_contact(
    services: Services, db: Database, clock: FakeClock
) -> None:
    who = TelegramIdentity(1001, "王芳", last_name="Wang", username="wangfang", language_code="zh")
    user = await services.users.touch(who)

    row = await user_row(db, 1001)
    assert (user.id, user.telegram_id, user.first_name) == (row.id, 1001, "王芳")
    assert (row.last_name, row.username, row.telegram_language) == ("Wang", "wangfang", "zh")
    assert row.language is None and row.community_id is None
    assert row.last_seen_at == clock.now()
    assert await count(db, User) == 1


async def test_touch_again_is_idempotent_and_writes_nothing(
    services: Services, db: Database, clock: FakeClock
) -> None:
    who = TelegramIdentity(1001, "王芳", language_code="zh-hans")
    first = await services.users.touch(who)
    seen = clock.now()
    clock.advance(minutes=5)  # within the "last seen" resolution

    with recorded_writes(db) as writes:
        again = await services.users.touch(who)

    assert writes == []
    assert again == first
    assert await count(db, User) == 1
    assert (await user_row(db, 1001)).last_seen_at == seen


async def test_touch_after_a_while_records_last_seen(
    services: Services, db: Database, clock: FakeClock
) -> None:
    who = TelegramIdentity(1001, "王芳")
    await services.users.touch(who)
    later = clock.advance(minutes=11)

    with recorded_writes(db) as writes:
        await services.users.touch(who)  # "last seen" alone is written behind:
        assert writes == []  # the update's handling does not wait for it …
        await services.users.flush()  # … and it has committed now

    assert writes, "a stale last_seen_at must be written"
    assert (await user_row(db, 1001)).last_seen_at == later
    assert await count(db, User) == 1


async def test_concurrent_first_contacts_create_one_user(services: Services, db: Database) -> None:
    who = TelegramIdentity(1001, "王芳")
    users = await asyncio.gather(*(services.users.touch(who) for _ in range(4)))
    assert len({u.id for u in users}) == 1
    assert await count(db, User) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"first_name": "Fang"},
        {"last_name": "Wang"},
        {"username": "fang_w"},
        {"language_code": "en-GB"},
    ],
    ids=lambda c: next(iter(c)),
)
async def test_changed_names_and_language_are_written(
    services: Services, db: Database, clock: FakeClock, change: dict[str, str]
) -> None:
    base = {"first_name": "王芳", "last_name": None, "username": None, "language_code": "zh"}
    await services.users.touch(TelegramIdentity(1001, **base))  # type: ignore[arg-type]
    clock.advance(minutes=1)  # not stale: only the change itself may cause the write

    updated = await services.users.touch(TelegramIdentity(1001, **{**base, **change}))  # type: ignore[arg-type]

    row = await user_row(db, 1001)
    stored = {
        "first_name": row.first_name,
        "last_name": row.last_name,
        "username": row.username,
        "language_code": row.telegram_language,
    }
    assert stored == {**base, **change}
    assert row.last_seen_at == clock.now()
    assert updated.first_name == stored["first_name"]
    expected_language = "en" if change.get("language_code") == "en-GB" else "zh_CN"
    assert updated.language == expected_language


# ---- language -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("zh-hans", "zh_CN"),
        ("zh-hant", "zh_CN"),
        ("zh", "zh_CN"),
        ("en-US", "en"),
        ("en", "en"),
        ("EN_gb", "en"),
        ("fr", "default"),
        ("", "default"),
        (None, "default"),
    ],
)
@pytest.mark.parametrize("default", ["zh_CN", "en"])
async def test_effective_language_comes_from_telegram(
    db: Database, clock: FakeClock, code: str | None, expected: str, default: str
) -> None:
    services = build_services(db, clock, default_language=default)
    user = await person(services, 1001, language_code=code)
    want = default if expected == "default" else expected
    assert user.language == want
    assert user.chosen_language is None
    assert (await services.users.get(1001)).language == want


async def test_lang_choice_wins_over_telegram(services: Services, db: Database) -> None:
    user = await person(services, 1001, language_code="zh-hans")
    await services.users.set_language(user.id, "en")

    chosen = await services.users.get(1001)
    assert (chosen.language, chosen.chosen_language) == ("en", "en")
    # Telegram still says Chinese (and later says something else): the choice stays
    again = await person(services, 1001, language_code="zh-hans")
    assert again.language == "en"
    other = await person(services, 1001, language_code="fr")
    assert other.language == "en"
    assert (await user_row(db, 1001)).telegram_language == "fr"

    await services.users.set_language(user.id, "zh_CN")
    assert (await services.users.get(1001)).language == "zh_CN"


async def test_unknown_language_is_refused(services: Services, db: Database) -> None:
    user = await person(services, 1001, language_code="en")
    with pytest.raises(InvalidValue) as info:
        await services.users.set_language(user.id, "fr")
    assert (info.value.field, info.value.reason) == ("language", "unknown")
    assert (await user_row(db, 1001)).language is None
    with pytest.raises(NotFound):
        await services.users.set_language(user.id + 999, "en")


async def test_get_unknown_user(services: Services) -> None:
    with pytest.raises(NotFound):
        await services.users.get(424242)


# ---- roles ----------------------------------------------------------------------------


async def test_a_new_user_has_no_role_yet(services: Services) -> None:
    user = await person(services, 1001)
    assert user.roles == frozenset()
    assert not user.registered and not user.is_admin


async def test_resident_after_choosing_a_home_community(services: Services, org: Org) -> None:
    user = await person(services, 1001)
    await services.users.set_home_community(user.id, org[COMMUNITY].id)
    now = await services.users.get(1001)
    assert now.roles == {Role.RESIDENT}
    assert now.community_id == org[COMMUNITY].id and now.registered


async def test_home_community_must_be_a_community(
    services: Services, org: Org, db: Database
) -> None:
    user = await person(services, 1001)
    for not_a_community in (org[STREET].id, org.grid(1).id, org[DISTRICT].id, 987654):
        with pytest.raises(InvalidValue) as info:
            await services.users.set_home_community(user.id, not_a_community)
        assert (info.value.field, info.value.reason) == ("community", "not_found")
    assert (await user_row(db, 1001)).community_id is None
    with pytest.raises(NotFound):
        await services.users.set_home_community(user.id + 999, org[COMMUNITY].id)


async def test_volunteer_role_only_once_approved(services: Services, org: Org) -> None:
    user = await person(services, 1001)
    await services.volunteers.register(user.id, form(org))

    pending = await services.users.get(1001)
    assert pending.volunteer_status == "pending"
    assert pending.roles == {Role.RESIDENT}

    boss = await coordinator(services, 2001, COMMUNITY)
    await services.volunteers.decide(boss, user.id, approve=True)
    approved = await services.users.get(1001)
    assert approved.roles == {Role.RESIDENT, Role.VOLUNTEER}


async def test_declined_volunteer_is_no_volunteer(services: Services, org: Org) -> None:
    user = await person(services, 1001)
    await services.volunteers.register(user.id, form(org))
    boss = await coordinator(services, 2001, COMMUNITY)
    await services.volunteers.decide(boss, user.id, approve=False)
    assert (await services.users.get(1001)).roles == {Role.RESIDENT}


async def test_coordinator_and_admin_roles_follow_the_binding(services: Services, org: Org) -> None:
    community = await coordinator(services, 2001, COMMUNITY)
    assert community.roles == {Role.COORDINATOR}
    assert community.coordinator_unit == org[COMMUNITY] and not community.is_admin

    street = await coordinator(services, 2002, STREET)
    assert street.roles == {Role.COORDINATOR} and not street.is_admin

    admin = await coordinator(services, 2003, DISTRICT)
    assert admin.roles == {Role.COORDINATOR, Role.ADMIN} and admin.is_admin

    await services.coordinators.remove(admin, community.id)
    assert (await services.users.get(2001)).roles == frozenset()
