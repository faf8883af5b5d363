"""/start, the home menu, /help and /cancel."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.i18n import Translator
from bot.services.kernel.dto import Role, UserDTO
from bot.services.kernel.states import ApprovalState
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
    if user.volunteer_status == ApprovalState.PENDING:
        lines.append(t("home.pending_approval"))
    elif user.volunteer_status == ApprovalState.DECLINED:
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


HomeAction = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]
ACTIONS = "home_actions"  # bot_data key: what each home button opens (handlers/__init__.py)


def set_actions(app: Application, actions: Mapping[str, HomeAction]) -> None:  # type: ignore[type-arg]
    """The features each home button opens, registered with the handlers (so that this
    module, which every feature returns to, imports none of them)."""
    app.bot_data[ACTIONS] = dict(actions)


async def on_home_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    action = query.data.partition(":")[2]
    await answer(update)
    user = me(context)
    opens: Mapping[str, HomeAction] = context.application.bot_data.get(ACTIONS, {})
    if action == "volunteer" and user.volunteer_status is None:
        await start_flow(update, context, "volunteer")
    elif action == "resident" and not user.registered:
        await start_flow(update, context, "resident")
    elif action == "help":
        await help_command(update, context)
    elif action in opens:
        await opens[action](update, context)
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
