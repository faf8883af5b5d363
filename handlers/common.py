"""What every handler needs: the services, the current user and their language, replies,
and the translation of domain errors into kind, localized answers."""

from __future__ import annotations

import functools
import html
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram import (
    CallbackQuery,
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.container import Services
from bot.i18n import Translator, get_translator
from bot.services.kernel.dto import UserDTO
from bot.services.kernel.errors import DomainError, InvalidValue
from bot.services.kernel.scheduling import Button
from bot.services.people.users import TelegramIdentity
from handlers.menus import menus

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | Any
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[Any]]
H = TypeVar("H", bound=Handler)

ME_KEY = "me"
ALERT_MAX = 200  # answerCallbackQuery text, in UTF-16 code units


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["services"]  # type: ignore[no-any-return]


async def load_user(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Pre-group: the user behind the update, created on first contact, with roles (and
    the messages held for them released, if the bot could not reach them before)."""
    _press.set(_Press(update.callback_query))
    who = update.effective_user
    if who is None or who.is_bot or context.user_data is None:
        return
    member = update.my_chat_member
    if (
        member is not None
        and member.chat.type == ChatType.PRIVATE
        and member.new_chat_member.status == ChatMember.BANNED
    ):  # they blocked the bot: not a sign of life, but a reason to hold their messages
        await services(context).users.left(who.id)
        return
    context.user_data[ME_KEY] = await services(context).users.touch(
        TelegramIdentity(
            telegram_id=who.id,
            first_name=who.first_name or "",
            last_name=who.last_name,
            username=who.username,
            language_code=who.language_code,
        )
    )


async def keep_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Pre-group, after :func:`load_user`: the person's chat menu, when it is not the
    one of their roles (a comparison, nothing more, when it is: see handlers.menus).
    On messages only: the menu is what one sees before typing, and a grab storm is
    presses — right after this version is deployed, when nobody's menu is set yet, it
    must not become a thousand setMyCommands and as many writes (roles changed by a
    press are handled where they change: refresh_me, keep_menu_of)."""
    if update.message is None or context.user_data is None or ME_KEY not in context.user_data:
        return
    menus(context.application).keep(context.bot, context.user_data[ME_KEY])


def me(context: ContextTypes.DEFAULT_TYPE) -> UserDTO:
    assert context.user_data is not None
    return context.user_data[ME_KEY]  # type: ignore[no-any-return]


async def refresh_me(update: Update, context: ContextTypes.DEFAULT_TYPE) -> UserDTO:
    assert context.user_data is not None and update.effective_user is not None
    user = await services(context).users.get(update.effective_user.id)
    context.user_data[ME_KEY] = user
    menus(context.application).keep(context.bot, user)  # their roles may have changed
    return user


def tr(context: ContextTypes.DEFAULT_TYPE) -> Translator:
    return get_translator(me(context).language)


@dataclass
class Reply:
    """Replies in the update's chat, in the user's language."""

    update: Update
    context: ContextTypes.DEFAULT_TYPE

    @property
    def tr(self) -> Translator:
        return tr(self.context)

    async def send(self, text: str, markup: Markup | None = None) -> Message:
        chat = self.update.effective_chat
        assert chat is not None
        return await self.context.bot.send_message(chat.id, text, reply_markup=markup)

    async def edit_or_send(
        self, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> Message | bool:
        """Edit the message whose button was pressed; send a new one otherwise."""
        query = self.update.callback_query
        if query is not None and query.message is not None:
            try:
                return await query.edit_message_text(text, reply_markup=markup)
            except BadRequest as exc:
                if "not modified" in str(exc):
                    return True
                log.info("could not edit message, sending a new one: %s", exc)
        return await self.send(text, markup)


def inline_markup(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    """The buttons a message builder gives (bot/messages/), as Telegram's keyboard."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.text, callback_data=b.callback_data, url=b.url) for b in row]
            for row in rows
        ]
    )


class StaleButton(DomainError):
    """Button data that does not decode (forged, or from an older version): answered
    with ``error.stale`` and logged by :func:`answer_error`."""

    code = "stale"


def pressed_ids(update: Update, prefix: str, count: int = 1) -> tuple[int, ...]:
    """The ids in the pressed button's data (``prefix:1:2``), or StaleButton."""
    from bot import callback_data

    query = update.callback_query
    assert query is not None and query.data is not None
    parsed = callback_data.decode_ints(query.data, prefix, count)
    if parsed is None:
        raise StaleButton(query.data)
    return parsed


def error_text(translator: Translator, error: DomainError, *, plain: bool = False) -> str:
    """The kind words for ``error``: HTML for a message, or ``plain`` for an alert."""
    say = translator.plain if plain else translator
    if isinstance(error, InvalidValue):
        key = f"invalid.{error.field}.{error.reason}"
        if key not in translator:
            return say("invalid.generic")
        if translator.is_plural(key):  # counted by its first number ("15 minutes")
            count = next(v for v in error.values.values() if isinstance(v, int))
            say_counted = translator.plain_ngettext if plain else translator.ngettext
            return say_counted(key, count, **error.values)
        return say(key, **error.values)
    key = f"error.{error.code}"
    return say(key) if key in translator else say("error.generic")


async def answer_error(
    update: Update, context: ContextTypes.DEFAULT_TYPE, error: DomainError
) -> None:
    """A domain error as a reply: an alert on a button press (in the chat if the press
    was answered already), a message otherwise."""
    translator = tr(context)
    query: CallbackQuery | None = update.callback_query
    if query is not None:
        log.info("refused press %r by %s: %s", query.data, query.from_user.id, error)
        if not answered(update):
            await answer(update, error_text(translator, error, plain=True), alert=True)
            return
    await Reply(update, context).send(error_text(translator, error))


def domain_errors(handler: H) -> H:
    """Turn the domain errors a handler raises into localized replies."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Any:
        try:
            return await handler(update, context)
        except DomainError as error:
            await answer_error(update, context, error)
            return None

    return wrapper  # type: ignore[return-value]


class _Press:
    """This update's callback query, and whether it was answered: one per update, made
    by the pre-group (:func:`load_user`) so that the tasks a handler starts (an answer
    sent beside other work with ``asyncio.gather``) share it with the handler."""

    __slots__ = ("answered", "query")

    def __init__(self, query: CallbackQuery | None) -> None:
        self.query = query
        self.answered = False


_press: ContextVar[_Press | None] = ContextVar("press", default=None)


def _press_of(query: CallbackQuery) -> _Press:
    press = _press.get()
    if press is None or press.query is not query:  # not through the pre-group (tests)
        press = _Press(query)
        _press.set(press)
    return press


def answered(update: Update) -> bool:
    query = update.callback_query
    return query is not None and _press_of(query).answered


async def answer(update: Update, text: str | None = None, alert: bool = False) -> None:
    """Answer the pressed button's query with plain ``text`` (an alert or a toast; cut
    to Telegram's 200 characters), once: Telegram refuses a second answer ("query is
    too old", as it does one that comes too late), so a later call sends none; its
    text, if any, goes into the chat instead."""
    query = update.callback_query
    if query is None:
        return
    press = _press_of(query)
    if not press.answered:
        press.answered = True
        try:
            await query.answer(alert_text(text) if text else None, show_alert=alert)
            return
        except BadRequest as exc:  # too late: the person waited more than Telegram does
            log.warning("could not answer press %r: %s", query.data, exc)
    if text:
        log.info("press %r answered already; said in the chat: %s", query.data, text)
        chat = update.effective_chat
        if chat is not None:
            await query.get_bot().send_message(chat.id, html.escape(text, quote=False))


def alert_text(text: str) -> str:
    """``text`` as an alert shows it: literally (alerts are not HTML), at most
    ALERT_MAX UTF-16 code units (as Telegram counts), ending in "…" when cut."""
    if utf16_len(text) <= ALERT_MAX:
        return text
    kept, size = [], 0
    for ch in text:
        size += utf16_len(ch)
        if size > ALERT_MAX - 1:
            break
        kept.append(ch)
    return "".join(kept) + "…"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2
