"""Coordinators approve or decline pending volunteers of their unit (/pending).

Approving thirty volunteers must not take sixty taps: a decision on the /pending list
keeps the list in that message — the decided volunteer marked at its top, the page
read again, the next one's buttons where the decided one's were. A decision on the
card a coordinator was sent about one volunteer turns the card into the decision and
says how many others wait."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.background import wake_sender
from bot.i18n import Markup
from bot.messages.people import volunteer_card
from bot.services.kernel.errors import AlreadyDecided
from bot.services.people.volunteers import PAGE_SIZE, Decision
from handlers.common import (
    Reply,
    StaleButton,
    answer,
    answer_error,
    domain_errors,
    me,
    pressed_ids,
    services,
    tr,
)
from handlers.menus import keep_menu_of
from handlers.paging import nav_row, paged

DECIDE = callbacks.DECIDE_VOLUNTEER  # on the card sent about one volunteer
DECIDE_IN_LIST = "vl"  # vl:<volunteer user id>:<1 approve | 0 decline>:<page of the list>
PAGE = "vp"  # vp:<page>


async def show_pending(
    update: Update, context: ContextTypes.DEFAULT_TYPE, page: int, note: str | None = None
) -> None:
    """The page of pending volunteers (the last one, if ``page`` is past it), under
    ``note`` (the decision just taken) when there is one."""
    t, volunteers = tr(context), services(context).volunteers
    result = await volunteers.pending(me(context), page)
    if result.total and page >= result.pages:  # the last one of the last page was decided
        result = await volunteers.pending(me(context), result.pages - 1)
    head = [note] if note else []
    if not result.total:
        await Reply(update, context).edit_or_send("\n".join([*head, t("approval.none")]))
        return
    lines: list[str] = [
        *head,
        t("approval.list_title", total=result.total, page=result.page + 1, pages=result.pages),
    ]
    rows: list[list[InlineKeyboardButton]] = []
    for n, v in enumerate(result.items, start=1 + result.page * PAGE_SIZE):
        lines.append(f"\n<b>{n}.</b> " + volunteer_card(t, v, with_status=False))
        rows.append(
            [
                InlineKeyboardButton(
                    t.plain("button.approve_name", name=v.real_name),
                    callback_data=callbacks.encode(DECIDE_IN_LIST, v.user_id, 1, result.page),
                ),
                InlineKeyboardButton(
                    t.plain("button.decline_name", name=v.real_name),
                    callback_data=callbacks.encode(DECIDE_IN_LIST, v.user_id, 0, result.page),
                ),
            ]
        )
    if nav := nav_row(PAGE, result):
        rows.append(nav)
    await Reply(update, context).edit_or_send("\n".join(lines), InlineKeyboardMarkup(rows))


pending_command, on_page = paged(show_pending, PAGE)


async def _decide(
    update: Update, context: ContextTypes.DEFAULT_TYPE, user_id: int, approve: int
) -> Decision:
    if approve not in (0, 1):
        raise StaleButton(f"{user_id}:{approve}")
    decision = await services(context).volunteers.decide(me(context), user_id, bool(approve))
    wake_sender(context.application)  # the volunteer's notice is queued
    await keep_menu_of(context.application, decision.volunteer.telegram_id)  # /orders now
    return decision


async def _tell_decided(update: Update, context: ContextTypes.DEFAULT_TYPE, d: Decision) -> Markup:
    """The decision as an answer to the press (plain text), and as a line of the message."""
    t, name = tr(context), d.volunteer.real_name
    key = "approval.approved" if d.approved else "approval.declined"
    await answer(update, t.plain(key, name=name))
    return t(key, name=name)


@domain_errors
async def on_decide(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A decision on the card about one volunteer: the card shows it, and the rest of
    the queue is a tap away."""
    t = tr(context)
    decision = await _decide(update, context, *pressed_ids(update, DECIDE, 2))
    note = await _tell_decided(update, context, decision)
    waiting = (await services(context).volunteers.pending(me(context))).total
    lines = [note, volunteer_card(t, decision.volunteer, with_status=False)]
    if waiting:
        lines.append(t.ngettext("approval.others_waiting", waiting, count=waiting))
    await Reply(update, context).edit_or_send("\n".join(lines))


@domain_errors
async def on_decide_in_list(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A decision on the /pending list: the list stays, read again, the decision on top
    (also when someone else decided first: the list is then brought up to date)."""
    user_id, approve, page = pressed_ids(update, DECIDE_IN_LIST, 3)
    try:
        decision = await _decide(update, context, user_id, approve)
    except AlreadyDecided as error:
        await answer_error(update, context, error)
        await show_pending(update, context, max(0, page))
        return
    note = await _tell_decided(update, context, decision)
    await show_pending(update, context, max(0, page), note=note)


HANDLERS = [
    CommandHandler("pending", pending_command),
    CallbackQueryHandler(on_decide, pattern=callbacks.pattern(DECIDE)),
    CallbackQueryHandler(on_decide_in_list, pattern=callbacks.pattern(DECIDE_IN_LIST)),
    CallbackQueryHandler(on_page, pattern=callbacks.pattern(PAGE)),
]
