"""What each person can do: the commands of their roles, listed by /help and set as the
command menu Telegram shows behind "/" in their chat.

The menu is per person (``setMyCommands`` with ``BotCommandScopeChat``), so residents do
not see /review. A person's roles change when a coordinator approves them, appoints or
removes them, or when they register; the menu follows:

- at every message (handlers.common.keep_menu), :meth:`Menus.keep` compares the menu
  this person should have (a digest of its commands and words, cached per role set and
  language) with the digest of the one last set for their chat, which the user read
  of every update already brings (``users.menu``). Equal — nearly always — costs that
  comparison and nothing else: no query, no Bot API call. Different — a role or the
  language changed, or the catalogue's words did — sets the chat's menu in the
  background (the update does not wait for it) and records the digest, so it is not
  sent again, across restarts too. Button presses are left out: a grab storm is a
  thousand of them, and the first storm after this is deployed would otherwise set a
  thousand menus at once;
- when the person's own roles change (registration, /me, /lang), ``refresh_me`` calls
  it; when someone else's change (approval, appointment, removal), the handler that
  changed them calls :func:`keep_menu_of`, so the new volunteer finds /orders behind
  "/" before they write again.

Before a person's first update the chat has no menu of its own and Telegram shows the
bot's default one, set at start-up to what anybody may do (:func:`set_menus`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Sequence
from functools import cache

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError
from telegram.ext import Application

from bot.i18n import LANGUAGES, Markup, Translator, get_translator
from bot.services.kernel.dto import Role, UserDTO
from bot.services.people.users import UserService

log = logging.getLogger(__name__)

# the sections of /help, each with its title's key and its commands; a person sees the
# sections of their roles, every command once
EVERYONE = ("start", "me", "lang", "help", "cancel")
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("everyone", "help.everyone", EVERYONE),
    ("requests", "help.resident", ("request", "myrequests")),
    (
        "volunteer",
        "help.volunteer",
        (
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
        ),
    ),
    (
        "coordinator",
        "help.coordinator",
        (
            "review",
            "activity",
            "broadcast",
            "broadcasts",
            "rank",
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
        ),
    ),
)
# a command of two roles (/rank: volunteers' and coordinators') is listed in the first
# section of the person's that has it
COMMANDS = tuple(dict.fromkeys(name for _, _, names in SECTIONS for name in names))
TELEGRAM_CODES = {"zh_CN": "zh", "en": "en"}
MENUS_KEY = "menus"
DONE_KEPT = 10_000


def can_request(user: UserDTO) -> bool:
    """Residents ask for help; coordinators ask on behalf of someone in their unit."""
    return user.community_id is not None or Role.COORDINATOR in user.roles


def sections_for(user: UserDTO) -> tuple[str, ...]:
    """The sections of /help (and so of the menu) for this person's roles."""
    sections = ["everyone"]
    if can_request(user):
        sections.append("requests")
    if Role.VOLUNTEER in user.roles:
        sections.append("volunteer")
    if Role.COORDINATOR in user.roles:
        sections.append("coordinator")
    return tuple(sections)


def _names(section: str, registered: bool) -> tuple[str, ...]:
    names = next(names for name, _, names in SECTIONS if name == section)
    if section == "everyone" and not registered:
        return tuple(n for n in names if n != "me")  # nothing to show yet
    return names


def _registered(user: UserDTO) -> bool:
    return user.registered or user.coordinator_unit is not None


def commands_of(user: UserDTO) -> tuple[str, ...]:
    """The person's menu, in order: /start, what their roles do, then the rest."""
    registered = _registered(user)
    everyone = _names("everyone", registered)
    roles = dict.fromkeys(n for s in sections_for(user)[1:] for n in _names(s, registered))
    return (everyone[0], *roles, *everyone[1:])


@cache
def menu(language: str, names: tuple[str, ...]) -> tuple[str, tuple[BotCommand, ...]]:
    """The menu of ``names`` in ``language``, and a digest that changes with any of its
    commands or words."""
    t = get_translator(language)
    commands = tuple(BotCommand(name, t.plain(f"command.{name}")) for name in names)
    words = json.dumps([language, [(c.command, c.description) for c in commands]])
    return hashlib.sha256(words.encode()).hexdigest()[:16], commands


def commands_for(language: str) -> list[BotCommand]:
    """The default menu: what anybody may do before registering."""
    return list(menu(language, _names("everyone", registered=False))[1])


async def set_menus(bot: Bot, default_language: str) -> None:
    """The bot's default menus (no chat scope), per language; each person's chat gets
    their own from :class:`Menus`."""
    await bot.set_my_commands(commands_for(default_language))
    for language in LANGUAGES:
        await bot.set_my_commands(commands_for(language), language_code=TELEGRAM_CODES[language])


def help_text(user: UserDTO, t: Translator) -> str:
    """/help: the sections of the person's roles, each command once, as in their menu."""
    registered = _registered(user)
    parts = []
    listed: set[str] = set()
    for section in sections_for(user):
        title = next(key for name, key, _ in SECTIONS if name == section)
        lines: list[str] = [t(title)]
        names = [n for n in _names(section, registered) if n not in listed]
        listed.update(names)
        lines += [f"/{n} — " + t(f"help.{n}") for n in names]
        if section == "everyone" and not registered:
            lines.append(t("help.unregistered"))
        parts.append("\n".join(lines))
    return Markup("\n\n".join(parts))


class Menus:
    """Keeps each person's chat menu the one of their roles (see the module)."""

    def __init__(self, users: UserService, concurrency: int = 4) -> None:
        self.users = users
        self._limit = asyncio.Semaphore(concurrency)
        # user id -> (chat id, digest, commands) still to set; one task per user at a time
        self._wanted: dict[int, tuple[int, str, Sequence[BotCommand]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        # user id -> digest set and recorded here: an update read before that write
        # committed still shows the old one (bounded: the database has them all)
        self._done: dict[int, str] = {}

    def keep(self, bot: Bot, user: UserDTO) -> None:
        digest, commands = menu(user.language, commands_of(user))
        if user.menu == digest or self._done.get(user.id) == digest:
            return
        busy = user.id in self._wanted
        self._wanted[user.id] = (user.telegram_id, digest, commands)
        if not busy:
            task = asyncio.create_task(self._set(bot, user.id), name=f"menu:{user.id}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _set(self, bot: Bot, user_id: int) -> None:
        try:
            while True:
                chat_id, digest, commands = self._wanted[user_id]
                async with self._limit:
                    await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
                await self.users.menu_set(user_id, digest)
                if len(self._done) >= DONE_KEPT:
                    self._done.clear()
                self._done[user_id] = digest
                if self._wanted[user_id][1] == digest:  # else the roles changed meanwhile
                    return
        except TelegramError as error:  # e.g. a chat not opened yet: at their first update
            log.info("menu of user %s not set: %s", user_id, error)
        except Exception:
            log.exception("menu of user %s not set", user_id)
        finally:
            self._wanted.pop(user_id, None)

    async def drain(self) -> None:
        """Wait for the menus being set (at shutdown)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


def menus(app: Application) -> Menus:  # type: ignore[type-arg]
    return app.bot_data[MENUS_KEY]  # type: ignore[no-any-return]


async def keep_menu_of(app: Application, telegram_id: int) -> None:  # type: ignore[type-arg]
    """After someone else's roles changed: their menu, without waiting for them."""
    user = await menus(app).users.get(telegram_id)
    menus(app).keep(app.bot, user)
