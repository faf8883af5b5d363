"""Coordinators review residents' requests (/review): approve, reject, duplicate, or
edit what the resident gave first. A request that waited too long reaches the street's
(then the district's) coordinators with a button that opens its review here."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.i18n import Translator
from bot.services.dto import OrderDTO
from bot.services.notices import local_time
from bot.services.orders import PAGE_SIZE
from handlers import review_steps
from handlers.common import (
    Reply,
    StaleButton,
    answer,
    domain_errors,
    me,
    pressed_ids,
    services,
    tr,
)
from handlers.flow import start_flow
from handlers.paging import nav_row, pressed_page

PAGE = "rv"  # rv:<page>
DECIDE = "rd"  # rd:<order id>:<0 approve | 1 reject | 2 duplicate | 3 edit>
FLOWS = (review_steps.APPROVE, review_steps.REJECT, review_steps.DUPLICATE, review_steps.EDIT)
LABELS = (
    "review.button_approve",
    "review.button_reject",
    "review.button_duplicate",
    "review.button_edit",
)
EDIT = 3
ROWS = ((0, 3), (1, 2))  # approve, edit / reject, duplicate


def order_card(t: Translator, order: OrderDTO, category: str, community: str, timezone: str) -> str:
    """The request as its unit's coordinators see it (address and phone included)."""
    return t(
        "review.card",
        number=order.number,
        category=category,
        description=order.description,
        start=local_time(order.starts_at, timezone),
        end=local_time(order.ends_at, timezone),
        community=community,
        address=order.address,
        phone=order.contact_phone,
        helpers=order.helpers_requested,
    )


async def show_queue(update: Update, context: ContextTypes.DEFAULT_TYPE, page: int) -> None:
    t = tr(context)
    orders = services(context).orders
    result = await orders.review_queue(me(context), page)
    if not result.total:
        await Reply(update, context).edit_or_send(t("review.none"))
        return
    lines: list[str] = [
        t("review.list_title", total=result.total, page=result.page + 1, pages=result.pages)
    ]
    rows: list[list[InlineKeyboardButton]] = []
    for n, order in enumerate(result.items, start=1 + result.page * PAGE_SIZE):
        unit = await services(context).org.unit(order.community_id)
        community = unit.name(t.language) if unit else ""
        kind = await services(context).org.category(order.category)
        category = kind.name(t.language) if kind else order.category
        card = order_card(t, order, category, community, orders.timezone)
        lines.append(f"\n<b>{n}.</b> " + card)
        rows.extend(decision_rows(t, order))
    if nav := nav_row(PAGE, result):
        rows.append(nav)
    await Reply(update, context).edit_or_send("\n".join(lines), InlineKeyboardMarkup(rows))


def decision_rows(t: Translator, order: OrderDTO) -> list[list[InlineKeyboardButton]]:
    return [
        [
            InlineKeyboardButton(
                t.plain(LABELS[choice], number=order.number),
                callback_data=callbacks.encode(DECIDE, order.id, choice),
            )
            for choice in row
        ]
        for row in ROWS
    ]


async def card_of(context: ContextTypes.DEFAULT_TYPE, order: OrderDTO) -> str:
    t = tr(context)
    unit = await services(context).org.unit(order.community_id)
    kind = await services(context).org.category(order.category)
    return order_card(
        t,
        order,
        kind.name(t.language) if kind else order.category,
        unit.name(t.language) if unit else "",
        services(context).orders.timezone,
    )


@domain_errors
async def on_open(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The button of an escalated request: its card and decisions, if the presser may
    still decide it (NotInScope, AlreadyDecided … otherwise)."""
    (order_id,) = pressed_ids(update, callbacks.REVIEW_ORDER)
    order = await services(context).orders.reviewable(me(context), order_id)
    await answer(update)
    markup = InlineKeyboardMarkup(decision_rows(tr(context), order))
    await Reply(update, context).send(await card_of(context, order), markup)


@domain_errors
async def review_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await show_queue(update, context, 0)


@domain_errors
async def on_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await answer(update)
    await show_queue(update, context, pressed_page(update, PAGE))


@domain_errors
async def on_decide(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Re-check the presser's rights on the order, then ask the decision's questions."""
    order_id, decision = pressed_ids(update, DECIDE, 2)
    if decision not in range(len(FLOWS)):
        raise StaleButton(f"{DECIDE}:{order_id}:{decision}")
    order = await services(context).orders.reviewable(me(context), order_id)
    await answer(update)
    if decision == EDIT:
        data = review_steps.edit_data(order, services(context).orders.timezone)
        await start_flow(update, context, review_steps.EDIT, data, step="choose")
        return
    await start_flow(update, context, FLOWS[decision], {"order": order.id})


HANDLERS = [
    CommandHandler("review", review_command),
    CallbackQueryHandler(on_decide, pattern=callbacks.pattern(DECIDE)),
    CallbackQueryHandler(on_open, pattern=callbacks.pattern(callbacks.REVIEW_ORDER)),
    CallbackQueryHandler(on_page, pattern=callbacks.pattern(PAGE)),
]
