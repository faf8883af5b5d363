"""/myrequests: a resident's orders with their state, newest first, paged; each with a
cancel button while cancelling is allowed. Every press re-checks the presser's rights
(the service does): another person's order id is refused."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.background import wake_sender
from bot.i18n import Markup, Translator
from bot.messages.common import local_time
from bot.services.kernel.dto import OrderDTO
from bot.services.kernel.errors import NotAllowed
from bot.services.kernel.states import OrderState
from handlers.common import Reply, StaleButton, answer, domain_errors, me, services, tr

PREFIX = "mr"  # mr:p:<page> | mr:a:<order id> (ask) | mr:c:<order id> (cancel)
STATES = {
    OrderState.PENDING_REVIEW: "myrequests.state_pending_review",
    OrderState.OPEN: "myrequests.state_open",
    OrderState.FILLED: "myrequests.state_filled",
    OrderState.IN_SERVICE: "myrequests.state_in_service",
    OrderState.COMPLETED: "myrequests.state_completed",
    OrderState.REJECTED: "myrequests.state_rejected",
    OrderState.CANCELLED: "myrequests.state_cancelled",
    OrderState.EXPIRED: "myrequests.state_expired",
}


def _button(label: str, *parts: int | str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=callbacks.encode(PREFIX, *parts))


def order_line(t: Translator, order: OrderDTO, category: str, timezone: str) -> Markup:
    return t(
        "myrequests.line",
        number=order.number,
        category=category,
        state=t.plain(STATES.get(order.state, "myrequests.state_pending_review")),
        start=local_time(order.starts_at, timezone),
    )


async def show_page(update: Update, context: ContextTypes.DEFAULT_TYPE, page: int) -> None:
    svc, t, user = services(context), tr(context), me(context)
    result = await svc.orders.requester_orders(user, page)
    reply = Reply(update, context)
    if not result.items:
        await reply.edit_or_send(t("myrequests.none"))
        return
    names = {c.code: c.name(t.language) for c in await svc.org.categories()}
    lines = [t("myrequests.title", page=result.page + 1, pages=result.pages)]
    rows: list[list[InlineKeyboardButton]] = []
    for order in result.items:
        lines.append(
            order_line(t, order, names.get(order.category, order.category), svc.orders.timezone)
        )
        if svc.orders.requester_may_cancel(order):
            label = t.plain("myrequests.button_cancel", number=order.number)
            rows.append([_button(label, "a", order.id)])
    nav = []
    if result.page > 0:
        nav.append(_button(t.plain("myrequests.button_newer"), "p", result.page - 1))
    if result.page + 1 < result.pages:
        nav.append(_button(t.plain("myrequests.button_older"), "p", result.page + 1))
    rows += [nav] if nav else []
    await reply.edit_or_send(Markup("\n".join(lines)), InlineKeyboardMarkup(rows) if rows else None)


async def my_requests(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await show_page(update, context, 0)


async def _own_order(context: ContextTypes.DEFAULT_TYPE, order_id: int) -> OrderDTO:
    order = await services(context).orders.get(order_id)
    if order.requester_id != me(context).id:
        raise NotAllowed("not the requester")
    return order


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    parts = query.data.split(":")
    value = callbacks.decode_id(parts[2]) if len(parts) == 3 else None
    if value is None or parts[1] not in ("p", "a", "c"):
        raise StaleButton(query.data)
    action = parts[1]
    t = tr(context)
    if action == "p":
        await answer(update)
        await show_page(update, context, value)
        return
    order = await _own_order(context, value)  # another's: NotAllowed, logged as refused
    if action == "a":
        await answer(update)
        rows = [
            [_button(t.plain("myrequests.button_confirm_cancel"), "c", order.id)],
            [_button(t.plain("myrequests.button_keep"), "p", 0)],
        ]
        text = t("myrequests.ask_cancel", number=order.number)
        await Reply(update, context).edit_or_send(text, InlineKeyboardMarkup(rows))
        return
    cancelled = await services(context).orders.cancel_by_requester(me(context), order.id)
    await answer(update)
    wake_sender(context.application)  # the volunteers' notices are queued
    await Reply(update, context).edit_or_send(t("myrequests.cancelled", number=cancelled.number))


HANDLERS = [
    CommandHandler("myrequests", domain_errors(my_requests)),
    CallbackQueryHandler(domain_errors(on_button), pattern=callbacks.pattern(PREFIX)),
]
