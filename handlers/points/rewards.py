"""Volunteers and the rewards catalogue (公益兑换): /rewards lists what they may redeem
now (their community's and the units' above it, in stock, paged), a tap on a reward
asks to confirm with its cost and their balance after it, and "yes" redeems it;
/myrewards lists their redemptions and where each stands.

Every press is re-checked by the services against the database and the presser: a
forged or stale reward id is NotFound or RewardUnavailable, a confirmation pressed a
second time (or after points moved) is BalanceChanged, and nothing is redeemed.

:func:`register` adds the handlers of this part (this module, rewards_manage.py,
redemption_decide.py, redemptions_list.py); :data:`FLOWS` are its flows."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.background import wake_sender
from bot.messages import rewards as words
from bot.messages.common import points_text
from bot.services.kernel.errors import InsufficientPoints
from handlers.common import answer, domain_errors, me, pressed_ids, services, tr
from handlers.paging import nav_row, paged
from handlers.points import redemption_decide, redemptions_list, rewards_manage
from handlers.points.rewards_common import button, send_card, settle, show_list

PAGE = "bc"  # bc:<page>  (the catalogue)
OPEN = "bv"  # bv:<reward id>  (asks to confirm)
YES = "by"  # by:<reward id>:<balance the confirmation showed, tenths>
NO = "bn"  # bn:<reward id>
MINE = "bm"  # bm:<page>  (one's redemptions)


async def show_catalogue(update: Update, context: ContextTypes.DEFAULT_TYPE, page: int) -> None:
    t = tr(context)
    result, balance = await services(context).rewards.catalogue(me(context), page)
    rows = [
        [
            button(
                t.plain("rewards.button_reward", name=r.name, cost=points_text(r.cost)), OPEN, r.id
            )
        ]
        for r in result.items
    ]
    rows.append(nav_row(PAGE, result))
    rows.append([button(t.plain("rewards.button_mine"), MINE, 0)])
    text = words.catalogue_text(t, result.items, result.page, result.pages, balance)
    await show_list(update, context, text, rows)


on_rewards, on_page = paged(show_catalogue, PAGE)


@domain_errors
async def on_open(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The confirmation: the reward's card, its cost and the balance after it."""
    t = tr(context)
    (reward_id,) = pressed_ids(update, OPEN)
    offer = await services(context).rewards.offer(me(context), reward_id)
    reward = offer.reward
    await answer(update)
    if offer.after < 0:
        text = t(
            "rewards.insufficient",
            name=reward.name,
            cost=points_text(reward.cost),
            balance=points_text(offer.balance),
        )
        await send_card(update, context, text, None, reward.photo_file_id)
        return
    markup = InlineKeyboardMarkup(
        [
            [
                button(t.plain("rewards.button_confirm"), YES, reward.id, offer.balance),
                button(t.plain("rewards.button_keep"), NO, reward.id),
            ]
        ]
    )
    text = words.confirm_text(t, reward, offer.balance)
    await send_card(update, context, text, markup, reward.photo_file_id)


@domain_errors
async def on_yes(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = tr(context)
    reward_id, balance = pressed_ids(update, YES, 2)
    try:
        done = await services(context).redemptions.redeem(me(context), reward_id, balance)
    except InsufficientPoints as short:
        values = {"cost": points_text(short.cost or 0), "balance": points_text(short.balance)}
        await answer(update, t.plain("rewards.insufficient_alert", **values), alert=True)
        return
    await answer(update, t.plain("rewards.redeemed_alert"))
    r = done.redemption
    text = t(
        "rewards.redeemed",
        name=r.reward_name,
        id=r.id,
        cost=points_text(r.cost),
        balance=points_text(done.balance),
    )
    await settle(update, context, text)
    wake_sender(context.application)  # the coordinators are told


@domain_errors
async def on_no(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    pressed_ids(update, NO)
    await answer(update)
    await settle(update, context, tr(context)("rewards.kept"))


async def show_mine(update: Update, context: ContextTypes.DEFAULT_TYPE, page: int) -> None:
    t, svc = tr(context), services(context)
    result, balance = await svc.redemptions.mine(me(context), page)
    text = words.mine_text(
        t, result.items, result.page, result.pages, balance, svc.redemptions.timezone
    )
    rows = [nav_row(MINE, result), [button(t.plain("rewards.button_catalogue"), PAGE, 0)]]
    await show_list(update, context, text, rows)


on_myrewards, on_mine_page = paged(show_mine, MINE)


HANDLERS = [
    CommandHandler("rewards", on_rewards),
    CommandHandler("myrewards", on_myrewards),
    CallbackQueryHandler(on_page, pattern=callbacks.pattern(PAGE)),
    CallbackQueryHandler(on_open, pattern=callbacks.pattern(OPEN)),
    CallbackQueryHandler(on_yes, pattern=callbacks.pattern(YES)),
    CallbackQueryHandler(on_no, pattern=callbacks.pattern(NO)),
    CallbackQueryHandler(on_mine_page, pattern=callbacks.pattern(MINE)),
]

FLOWS = (*rewards_manage.FLOWS, *redemption_decide.FLOWS)


def register(app: Application, group: int = 0) -> None:  # type: ignore[type-arg]
    """The rewards part's commands and buttons (before the catch-alls of ``group``)."""
    for handler in (
        *HANDLERS,
        *rewards_manage.HANDLERS,
        *redemption_decide.HANDLERS,
        *redemptions_list.HANDLERS,
    ):
        app.add_handler(handler, group=group)
