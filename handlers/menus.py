"""Per-language command menus (setMyCommands): what Telegram shows behind "/"."""

from __future__ import annotations

from telegram import Bot, BotCommand

from bot.i18n import LANGUAGES, get_translator

COMMANDS = (
    "start",
    "help",
    "request",
    "myrequests",
    "orders",
    "myplaces",
    "review",
    "activity",
    "order",
    "me",
    "lang",
    "pending",
    "coordinators",
    "cancel",
)
TELEGRAM_CODES = {"zh_CN": "zh", "en": "en"}


def commands_for(language: str) -> list[BotCommand]:
    t = get_translator(language)
    return [BotCommand(name, t.plain(f"command.{name}")) for name in COMMANDS]


async def set_menus(bot: Bot, default_language: str) -> None:
    await bot.set_my_commands(commands_for(default_language))
    for language in LANGUAGES:
        await bot.set_my_commands(commands_for(language), language_code=TELEGRAM_CODES[language])
