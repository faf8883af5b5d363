"""Coordinators review residents' requests (/review): approve, reject, duplicate, or
edit what the resident gave first. A request that waited too long reaches the street's
(then the district's) coordinators with a button that opens its review here."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.i18n import Markup, Translator
from bot.messages.common import MAX_TEXT, local_time, shortened
from bot.services.kernel.dto import OrderDTO
from bot.services.requests.common import PAGE_SIZE
from bot.services.requests.drafts import ReviewDraft
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
from handlers.flows.dispatch import start_flow
from handlers.paging import nav_row, paged
from handlers.requests import review_defaults, review_edit, review_publish, review_reject

PAGE = "rv"  # rv:<page>
# rd:<order id>:<0 approve | 1 reject | 2 duplicate | 3 edit | 4 publish with defaults>
DECIDE = "rd"
DECISION_FLOWS = (
    review_publish.APPROVE,
    review_reject.REJECT,
    review_reject.DUPLICATE,
    review_edit.EDIT,
    review_publish.APPROVE,
)
LABELS = (
    "review.button_approve",
    "review.button_reject",
    "review.button_duplicate",
    "review.button_edit",
    "review.button_defaults",
)
EDIT = 3
DEFAULTS = 4
ROWS = ((4,), (0, 3), (1, 2))  # with defaults / approve step by step, edit / reject, duplicate


def order_card(
    t: Translator,
    order: OrderDTO,
    category: str,
    community: str,
    timezone: str,
    requester: str,
    *,
    short: bool = False,
) -> str:
    """The request as its unit's coordinators see it: who asked (address and phone
    included) and, for someone without Telegram, the person to help; ``short``: the
    description on one shortened line (a list that would not fit otherwise)."""
    people = t(
        "review.card_requester",
        name=requester,
        community=community,
        address=order.address,
        phone=order.contact_phone,
    )
    if order.beneficiary_name is not None:
        behalf = t(
            "review.card_behalf",
            name=order.beneficiary_name,
            address=order.beneficiary_address or order.address,
            phone=order.beneficiary_phone or order.contact_phone,
        )
        people = Markup(f"{people}\n{behalf}")
    return t(
        "review.card",
        number=order.number,
        category=category,
        description=shortened(order.description) if short else order.description,
        start=local_time(order.starts_at, timezone),
        end=local_time(order.ends_at, timezone),
        people=people,
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
    cards = []
    for n, order in enumerate(result.items, start=1 + result.page * PAGE_SIZE):
        cards.append((n, await card_parts(context, order)))
        rows.extend(decision_rows(t, order))
    if nav := nav_row(PAGE, result):
        rows.append(nav)
    text = "\n".join([*lines, *(f"\n<b>{n}.</b> " + order_card(t, *p) for n, p in cards)])
    if len(text) > MAX_TEXT:  # five long descriptions: each on one line (whole on its card)
        short = (f"\n<b>{n}.</b> " + order_card(t, *p, short=True) for n, p in cards)
        text = "\n".join([*lines, *short])
    await Reply(update, context).edit_or_send(text, InlineKeyboardMarkup(rows))


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


async def card_parts(
    context: ContextTypes.DEFAULT_TYPE, order: OrderDTO
) -> tuple[OrderDTO, str, str, str, str]:
    """What :func:`order_card` needs besides the translator."""
    language = tr(context).language
    unit = await services(context).org.unit(order.community_id)
    kind = await services(context).org.category(order.category)
    return (
        order,
        kind.name(language) if kind else order.category,
        unit.name(language) if unit else "",
        services(context).orders.timezone,
        await services(context).orders.requester_name(order),
    )


async def card_of(context: ContextTypes.DEFAULT_TYPE, order: OrderDTO) -> str:
    return order_card(tr(context), *await card_parts(context, order))


@domain_errors
async def on_open(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The button of an escalated request: its card and decisions, if the presser may
    still decide it (NotInScope, AlreadyDecided … otherwise)."""
    (order_id,) = pressed_ids(update, callbacks.REVIEW_ORDER)
    order = await services(context).orders.reviewable(me(context), order_id)
    await answer(update)
    markup = InlineKeyboardMarkup(decision_rows(tr(context), order))
    await Reply(update, context).send(await card_of(context, order), markup)


review_command, on_page = paged(show_queue, PAGE)


@domain_errors
async def on_decide(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Re-check the presser's rights on the order, then ask the decision's questions."""
    order_id, decision = pressed_ids(update, DECIDE, 2)
    if decision not in range(len(DECISION_FLOWS)):
        raise StaleButton(f"{DECIDE}:{order_id}:{decision}")
    order = await services(context).orders.reviewable(me(context), order_id)
    await answer(update)
    if decision == EDIT:
        data = review_edit.edit_data(order, services(context).orders.timezone)
        await start_flow(update, context, review_edit.EDIT, data, step="choose")
        return
    if decision == DEFAULTS:  # what will be published, to confirm or change first
        draft = review_defaults.defaults_draft(order)
        await start_flow(update, context, review_publish.APPROVE, draft, step="summary")
        return
    await start_flow(update, context, DECISION_FLOWS[decision], ReviewDraft(order=order.id))


HANDLERS = [
    CommandHandler("review", review_command),
    CallbackQueryHandler(on_decide, pattern=callbacks.pattern(DECIDE)),
    CallbackQueryHandler(on_open, pattern=callbacks.pattern(callbacks.REVIEW_ORDER)),
    CallbackQueryHandler(on_page, pattern=callbacks.pattern(PAGE)),
]
