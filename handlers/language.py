"""/lang: choose the language of the bot's messages."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.i18n import LANGUAGES, get_translator
from handlers.common import Reply, answer, domain_errors, me, refresh_me, services, tr

LANG = "lang"


async def ask_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rows = [
        [
            InlineKeyboardButton(
                get_translator(code).plain("language.name"),
                callback_data=callbacks.encode(LANG, code),
            )
            for code in LANGUAGES
        ]
    ]
    await Reply(update, context).send(tr(context)("language.ask"), InlineKeyboardMarkup(rows))


@domain_errors
async def on_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    code = query.data.partition(":")[2]
    await services(context).users.set_language(me(context).id, code)
    await refresh_me(update, context)
    await answer(update)
    await Reply(update, context).edit_or_send(tr(context)("language.set"))


HANDLERS = [
    CommandHandler("lang", ask_language),
    CallbackQueryHandler(on_language, pattern=callbacks.pattern(LANG)),
]
