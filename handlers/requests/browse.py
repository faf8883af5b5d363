"""Volunteers browse the open orders they may take (/orders): their community's, or
all those open to them in their street, nearest start first, paged, each with a Grab
button (handled by handlers.grabs.grab)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.messages.common import local_time, opens_later, order_about
from bot.services.requests.browse import BROWSE_AREAS
from handlers.common import Reply, answer, domain_errors, me, services, tr
from handlers.paging import nav_row

PAGE = "ob"  # ob:<area index>:<page>
TABS = ("orders.tab_community", "orders.tab_street")  # as BROWSE_AREAS


async def show_orders(
    update: Update, context: ContextTypes.DEFAULT_TYPE, area: int, page: int
) -> None:
    t = tr(context)
    orders = services(context).orders
    result = await orders.browse(me(context), BROWSE_AREAS[area], page)
    tabs = [
        InlineKeyboardButton(
            ("• " if n == area else "") + t.plain(key), callback_data=callbacks.encode(PAGE, n, 0)
        )
        for n, key in enumerate(TABS)
    ]
    rows: list[list[InlineKeyboardButton]] = [tabs]
    if not result.total:
        await Reply(update, context).edit_or_send(t("orders.none"), InlineKeyboardMarkup(rows))
        return
    now = services(context).clock.now()
    lines: list[str] = [
        t("orders.list_title", total=result.total, page=result.page + 1, pages=result.pages)
    ]
    for order in result.items:
        kind = await services(context).org.category(order.category)
        card: str = t.ngettext(
            "orders.card",
            order.places,
            number=order.number,
            category=kind.name(t.language) if kind else order.category,
            about=order_about(t, order, short=True),
            start=local_time(order.starts_at, orders.timezone),
            end=local_time(order.ends_at, orders.timezone),
            taken=order.taken,
            places=order.places,
        )
        if opens_later(order, now):
            assert order.opens_at is not None
            card += "\n" + t("orders.card_opens", opens=local_time(order.opens_at, orders.timezone))
        lines.append("\n" + card)
        rows.append(
            [
                InlineKeyboardButton(
                    t.plain("orders.button_grab", number=order.number),
                    callback_data=callbacks.encode(callbacks.GRAB, order.id),
                )
            ]
        )
    if nav := nav_row(PAGE, result, area):
        rows.append(nav)
    await Reply(update, context).edit_or_send("\n".join(lines), InlineKeyboardMarkup(rows))


@domain_errors
async def orders_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await show_orders(update, context, 0, 0)


@domain_errors
async def on_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    parsed = callbacks.decode_ints(query.data, PAGE, 2)
    await answer(update)
    if parsed is None or parsed[0] not in range(len(TABS)):
        await show_orders(update, context, 0, 0)
        return
    await show_orders(update, context, parsed[0], max(0, parsed[1]))


HANDLERS = [
    CommandHandler("orders", orders_command),
    CallbackQueryHandler(on_page, pattern=callbacks.pattern(PAGE)),
]
