"""What each role can do: /help and the command menu list the same commands, each once,
and only the person's own."""

from __future__ import annotations

import re

import pytest

from bot.i18n import LANGUAGES, get_translator
from bot.services.kernel.dto import UnitDTO, UserDTO
from handlers.menus import COMMANDS, commands_of, help_text, menu

UNIT = UnitDTO(4, 1, "community", "c", "龙湖东岸社区", "Longhu", "/1/2/4/")
RESIDENT_ONLY = {"request", "myrequests"}
VOLUNTEER_ONLY = {
    "orders",
    "myplaces",
    "points",
    "rank",
    "certificate",
    "passbook",
    "rewards",
    "myrewards",
    "transfer",
    "settings",
}
COORDINATOR_ONLY = {
    "review",
    "activity",
    "broadcast",
    "broadcasts",
    "rank",  # a volunteer's too (listed once)
    "report",
    "chart",
    "audit",
    "setchannel",
    "order",
    "adjust",
    "pending",
    "coordinators",
    "managerewards",
    "redemptions",
}


def person(**values: object) -> UserDTO:
    base: dict[str, object] = {
        "id": 1,
        "telegram_id": 1001,
        "first_name": "Fang",
        "language": "zh_CN",
        "chosen_language": None,
        "community_id": None,
    }
    return UserDTO(**{**base, **values})  # type: ignore[arg-type]


PEOPLE = {
    "newcomer": person(),
    "resident": person(community_id=4),
    "pending volunteer": person(community_id=4, volunteer_status="pending"),
    "volunteer": person(community_id=4, volunteer_status="approved"),
    "coordinator": person(coordinator_unit=UNIT),
    "volunteer and coordinator": person(
        community_id=4, volunteer_status="approved", coordinator_unit=UNIT
    ),
}


def listed(text: str) -> list[str]:
    """The commands /help lists: the lines that begin with one."""
    return re.findall(r"^/([a-z_]+) — ", text, re.M)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("who", PEOPLE)
def test_help_lists_the_menus_commands_each_once(who: str, language: str) -> None:
    user = PEOPLE[who]
    t = get_translator(language)
    commands = commands_of(user)
    lines = listed(help_text(user, t))
    assert sorted(lines) == sorted(commands)
    assert len(lines) == len(set(lines))
    assert set(commands) <= set(COMMANDS)
    names = [c.command for c in menu(language, commands)[1]]
    assert names == list(commands)


def test_each_role_sees_only_its_own_commands() -> None:
    menus = {who: set(commands_of(user)) for who, user in PEOPLE.items()}
    assert menus["newcomer"] == {"start", "lang", "help", "cancel"}
    assert menus["resident"] == {"start", "me", "lang", "help", "cancel", *RESIDENT_ONLY}
    assert menus["pending volunteer"] == menus["resident"]  # not /orders yet
    assert menus["volunteer"] == menus["resident"] | VOLUNTEER_ONLY
    assert menus["coordinator"] == menus["resident"] | COORDINATOR_ONLY  # on behalf
    assert menus["volunteer and coordinator"] == set(COMMANDS)
    assert commands_of(PEOPLE["volunteer"])[0] == "start"


def test_the_menus_digest_changes_with_the_language_and_the_commands() -> None:
    resident = commands_of(PEOPLE["resident"])
    volunteer = commands_of(PEOPLE["volunteer"])
    digests = {menu(lang, names)[0] for lang in LANGUAGES for names in (resident, volunteer)}
    assert len(digests) == 4
    assert menu("en", volunteer)[0] == menu("en", volunteer)[0]
