"""/redemptions: a coordinator's list of the redemptions still to hand over, of the
rewards of their unit and below, oldest first, 10 a page (◀ ▶), each with the notice's
two buttons. "Handed over" pressed on the list keeps the list in that message: read
again, what was done on top (also when someone else decided first: the press says so
and the list is brought up to date). "Cancel" is the notice's own button: the same
question for a reason. Every press is re-checked by the service, as on the notice
(handlers/points/redemption_decide.py)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.messages import points_redemptions as words
from bot.services.kernel.errors import AlreadyDecided
from handlers.common import (
    Reply,
    answer_error,
    domain_errors,
    me,
    pressed_ids,
    services,
    tr,
)
from handlers.paging import nav_row, paged
from handlers.points import redemption_decide
from handlers.points.rewards_common import button

PAGE = "bp"  # bp:<page>
HAND_OVER_IN_LIST = "bq"  # bq:<redemption id>:<page of the list>


async def show_pending(
    update: Update, context: ContextTypes.DEFAULT_TYPE, page: int, note: str | None = None
) -> None:
    """The page of pending redemptions (the last one, if ``page`` is past it), under
    ``note`` (what was just done) when there is one."""
    t, redemptions = tr(context), services(context).redemptions
    result = await redemptions.pending(me(context), page)
    rows: list[list[InlineKeyboardButton]] = [
        [
            button(
                t.plain("redemptions.button_handed", index=index),
                HAND_OVER_IN_LIST,
                p.redemption.id,
                result.page,
            ),
            button(
                t.plain("redemptions.button_cancel", index=index),
                redemption_decide.CANCEL,
                p.redemption.id,
            ),
        ]
        for index, p in enumerate(result.items, start=words.first_index(result))
    ]
    if nav := nav_row(PAGE, result):
        rows.append(nav)
    text = words.pending_text(t, result, redemptions.timezone, note)
    await Reply(update, context).edit_or_send(text, InlineKeyboardMarkup(rows) if rows else None)


on_command, on_page = paged(show_pending, PAGE)


@domain_errors
async def on_hand_over(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    redemption_id, page = pressed_ids(update, HAND_OVER_IN_LIST, 2)
    try:
        done = await redemption_decide.hand_over(update, context, redemption_id)
    except AlreadyDecided as error:
        await answer_error(update, context, error)
        await show_pending(update, context, page)
        return
    note = tr(context)("rewards.handed", id=done.id, name=done.reward_name)
    await show_pending(update, context, page, note)


HANDLERS = [
    CommandHandler("redemptions", on_command),
    CallbackQueryHandler(on_page, pattern=callbacks.pattern(PAGE)),
    CallbackQueryHandler(on_hand_over, pattern=callbacks.pattern(HAND_OVER_IN_LIST)),
]
