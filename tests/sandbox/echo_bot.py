"""A tiny python-telegram-bot Application used as "the bot" in the sandbox's own tests."""

from __future__ import annotations

import html

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    KeyboardButtonRequestUsers,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

CHOICES = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Yes", callback_data="yes"),
         InlineKeyboardButton("No", callback_data="no")],
        [InlineKeyboardButton("Silent", callback_data="silent"),
         InlineKeyboardButton("Site", url="https://example.org")],
    ]
)  # fmt: skip
KEYBOARD = ReplyKeyboardMarkup(
    [
        [KeyboardButton("📱 Phone", request_contact=True),
         KeyboardButton("📍 Where", request_location=True)],
        [KeyboardButton("👥 Pick", request_users=KeyboardButtonRequestUsers(7)), "plain"],
    ],
    one_time_keyboard=True,
)  # fmt: skip


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_user is not None and update.message is not None
    name = html.escape(update.effective_user.first_name)
    await update.message.reply_text(
        f"Welcome <b>{name}</b>!", parse_mode=ParseMode.HTML, reply_markup=CHOICES
    )


async def keyboard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text("Use the keyboard", reply_markup=KEYBOARD)


async def drop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    sent = await update.message.reply_text("short-lived", reply_markup=ReplyKeyboardRemove())
    await sent.delete()


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    if query.data == "silent":
        return  # never answered
    await query.answer(f"got {query.data}", show_alert=query.data == "no")
    if query.data in ("yes", "no") and query.message is not None:
        await query.edit_message_text(f"You chose {query.data}", reply_markup=CHOICES)


async def contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.contact is not None
    c = update.message.contact
    own = c.user_id == update.message.from_user.id if update.message.from_user else False
    await update.message.reply_text(f"phone {c.phone_number} own={own}")


async def location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.location is not None
    loc = update.message.location
    await update.message.reply_text(f"at {loc.latitude:.2f},{loc.longitude:.2f}")


async def shared(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.users_shared is not None
    ids = [u.user_id for u in update.message.users_shared.users]
    await update.message.reply_text(f"users {ids}")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(f"echo: {update.message.text}")


def build_echo_app(base_url: str, base_file_url: str, token: str) -> Application:  # type: ignore[type-arg]
    app = Application.builder().token(token).base_url(base_url).base_file_url(base_file_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("keyboard", keyboard))
    app.add_handler(CommandHandler("drop", drop))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(MessageHandler(filters.CONTACT, contact))
    app.add_handler(MessageHandler(filters.LOCATION, location))
    app.add_handler(MessageHandler(filters.StatusUpdate.USERS_SHARED, shared))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return app


async def start_polling(app: Application) -> None:  # type: ignore[type-arg]
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(timeout=10, allowed_updates=Update.ALL_TYPES)


async def stop_polling(app: Application) -> None:  # type: ignore[type-arg]
    assert app.updater is not None
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
