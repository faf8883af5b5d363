"""/settings: a volunteer chooses which broadcasts they get — each category on or off
(an order's announcement in their own community is no broadcast: it stays on) — and
the button under every broadcast that turns its category off at once. Each press is
re-checked: only a volunteer has the setting, only a known category is changed."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.messages.broadcasts import category_name
from bot.services.broadcasts.broadcasting import CATEGORIES
from bot.services.kernel.errors import NotAllowed
from handlers.common import Reply, answer, domain_errors, me, pressed_ids, services, tr


async def _show(update: Update, context: ContextTypes.DEFAULT_TYPE, note: str | None) -> None:
    t = tr(context)
    muted = await services(context).broadcasts.muted(me(context))
    rows = [
        [
            InlineKeyboardButton(
                t.plain(
                    "settings.button_muted" if c.value in muted else "settings.button_on",
                    category=category_name(t, c.value),
                ),
                callback_data=callbacks.encode(
                    callbacks.SETTINGS_MUTE, index, 0 if c.value in muted else 1
                ),
            )
        ]
        for index, c in enumerate(CATEGORIES)
    ]
    text = t("settings.broadcasts")
    if note:
        text = t("settings.with_note", note=note, text=text)
    await Reply(update, context).edit_or_send(text, InlineKeyboardMarkup(rows))


@domain_errors
async def settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if me(context).volunteer_status is None:
        await Reply(update, context).send(tr(context)("settings.not_volunteer"))
        return
    await _show(update, context, None)


@domain_errors
async def on_toggle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    index, mute = pressed_ids(update, callbacks.SETTINGS_MUTE, 2)
    if index >= len(CATEGORIES) or mute not in (0, 1):
        raise NotAllowed("no such setting")
    category = CATEGORIES[index].value
    await services(context).broadcasts.set_muted(me(context), category, bool(mute))
    t = tr(context)
    key = "settings.muted" if mute else "settings.unmuted"
    note = t.plain(key, category=category_name(t, category))
    await answer(update, note)
    await _show(update, context, note)


@domain_errors
async def on_mute_from_broadcast(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The button under a broadcast: its category off for the presser (their copy
    keeps its words; the button says it is done)."""
    (broadcast_id,) = pressed_ids(update, callbacks.MUTE_BROADCASTS)
    category = await services(context).broadcasts.category_of(broadcast_id)
    if category is None:
        raise NotAllowed("no such broadcast")
    await services(context).broadcasts.set_muted(me(context), category, True)
    t = tr(context)
    await answer(update, t.plain("settings.muted", category=category_name(t, category)), alert=True)


HANDLERS = [
    CommandHandler("settings", settings_command),
    CallbackQueryHandler(on_toggle, pattern=callbacks.pattern(callbacks.SETTINGS_MUTE)),
    CallbackQueryHandler(
        on_mute_from_broadcast, pattern=callbacks.pattern(callbacks.MUTE_BROADCASTS)
    ),
]
