"""/start, the home menu, /help and /cancel."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.i18n import Translator
from bot.services.kernel.dto import Role, UserDTO
from handlers.common import Reply, answer, domain_errors, me, tr
from handlers.flows.dispatch import cancel_flow, current_turn, start_flow
from handlers.menus import can_request, help_text

HOME = "home"


def home_keyboard(user: UserDTO, t: Translator) -> InlineKeyboardMarkup:
    def b(key: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(t.plain(key), callback_data=callbacks.encode(HOME, action))

    rows: list[list[InlineKeyboardButton]] = []
    if user.volunteer_status is None:
        rows.append([b("home.become_volunteer", "volunteer")])
    if not user.registered:
        rows.append([b("home.need_help", "resident")])
    if can_request(user):
        rows.append(
            [b("request.home_button", "request"), b("myrequests.home_button", "myrequests")]
        )
    if Role.VOLUNTEER in user.roles:
        rows.append([b("home.orders", "orders"), b("home.myplaces", "myplaces")])
    if Role.COORDINATOR in user.roles:
        rows.append([b("home.review", "review"), b("home.pending", "pending")])
        rows.append([b("home.live_orders", "live_orders"), b("home.coordinators", "coordinators")])
    rows.append([b("home.me", "me"), b("home.lang", "lang"), b("home.help", "help")])
    return InlineKeyboardMarkup(rows)


def home_text(user: UserDTO, t: Translator) -> str:
    lines = [t("home.title", name=user.display_name)]
    if user.volunteer_status == "pending":
        lines.append(t("home.pending_approval"))
    elif user.volunteer_status == "declined":
        lines.append(t("home.declined"))
    if user.coordinator_unit is not None:
        lines.append(t("home.coordinator_of", unit=user.coordinator_unit.name(t.language)))
    return "\n".join(lines)


async def show_home(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user, t = me(context), tr(context)
    await Reply(update, context).send(home_text(user, t), home_keyboard(user, t))


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    turn = await current_turn(update, context)
    if turn is not None:
        await Reply(update, context).send(tr(context)("flow.resuming"))
        await turn.ask_again()
        return
    user = me(context)
    if not user.registered and user.coordinator_unit is None:
        await start_flow(update, context, "onboard")
        return
    await show_home(update, context)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await Reply(update, context).send(help_text(me(context), tr(context)))


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await cancel_flow(update, context)


async def on_home_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    from handlers import language
    from handlers.people import approvals, coordinators, profile
    from handlers.requests import browse as orders_browse
    from handlers.requests import my_requests, request, review
    from handlers.service_day import myplaces, order_view

    query = update.callback_query
    assert query is not None and query.data is not None
    action = query.data.partition(":")[2]
    await answer(update)
    user = me(context)
    if action == "volunteer" and user.volunteer_status is None:
        await start_flow(update, context, "volunteer")
    elif action == "resident" and not user.registered:
        await start_flow(update, context, "resident")
    elif action == "me":
        await profile.show_profile(update, context)
    elif action == "lang":
        await language.ask_language(update, context)
    elif action == "pending":
        await approvals.show_pending(update, context, 0)
    elif action == "coordinators":
        await coordinators.show_coordinators(update, context)
    elif action == "help":
        await help_command(update, context)
    elif action == "request":
        await request.start_request(update, context)
    elif action == "myrequests":
        await my_requests.show_page(update, context, 0)
    elif action == "orders":
        await orders_browse.show_orders(update, context, 0, 0)
    elif action == "review":
        await review.show_queue(update, context, 0)
    elif action == "myplaces":
        await myplaces.show_places(update, context)
    elif action == "live_orders":
        await order_view.show_live(update, context, 0)
    else:
        await show_home(update, context)


HANDLERS = [
    CommandHandler("start", start),
    CommandHandler("help", help_command),
    CommandHandler("cancel", cancel),
    CallbackQueryHandler(domain_errors(on_home_button), pattern=callbacks.pattern(HOME)),
]


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await Reply(update, context).send(tr(context)("error.unknown_command"))


async def unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A press whose data no handler knows (forged, or from an older version)."""
    query = update.callback_query
    if query is not None:
        import logging

        logging.getLogger(__name__).warning(
            "unknown callback data %r from %s", query.data, query.from_user.id
        )
    await answer(update, tr(context).plain("error.stale"), alert=True)
