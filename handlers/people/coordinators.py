"""/coordinators: a coordinator appoints and removes coordinators for units below their
own (every change audited by the service)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    KeyboardButtonRequestUsers,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.background import wake_sender
from bot.services.kernel.drafts import needed
from bot.services.kernel.errors import InvalidValue, UnknownUser
from bot.services.kernel.scope import require_coordinator
from bot.services.people.drafts import AppointDraft
from handlers.common import Reply, answer, domain_errors, error_text, me, services, tr
from handlers.flows.dispatch import start_flow
from handlers.flows.engine import Flow, Step
from handlers.flows.questions import ReplyKeyboardStep
from handlers.flows.turn import Turn
from handlers.menus import keep_menu_of

log = logging.getLogger(__name__)

MENU = "cm"  # cm:appoint
REMOVE = "cr"  # cr:<user id> asks, crx:<user id> removes
REMOVE_YES = "crx"
REQUEST_ID = 1  # request_id of the "choose a user" keyboard button


async def show_coordinators(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user, t = me(context), tr(context)
    own = require_coordinator(user)
    below = await services(context).coordinators.below(user)
    lines = [t("coord.title", unit=own.name(t.language))]
    rows: list[list[InlineKeyboardButton]] = []
    if not below:
        lines.append(t("coord.none_below"))
    for c in below:
        lines.append(t("coord.line", name=c.name, unit=c.unit.name(t.language)))
        rows.append(
            [
                InlineKeyboardButton(
                    t.plain("button.remove_name", name=c.name),
                    callback_data=callbacks.encode(REMOVE, c.user_id),
                )
            ]
        )
    rows.append(
        [
            InlineKeyboardButton(
                t.plain("button.appoint"), callback_data=callbacks.encode(MENU, "appoint")
            )
        ]
    )
    await Reply(update, context).send("\n".join(lines), InlineKeyboardMarkup(rows))


@domain_errors
async def coordinators_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await show_coordinators(update, context)


@domain_errors
async def on_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    require_coordinator(me(context))
    await answer(update)
    await start_flow(update, context, "appoint")


@domain_errors
async def on_remove(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    t, user = tr(context), me(context)
    confirm = query.data.startswith(REMOVE_YES + ":")
    parsed = callbacks.decode_ints(query.data, REMOVE_YES if confirm else REMOVE, 1)
    if parsed is None:
        log.warning("malformed coordinator data %r from %s", query.data, query.from_user.id)
        await answer(update, t.plain("error.stale"), alert=True)
        return
    below = {c.user_id: c for c in await services(context).coordinators.below(user)}
    target = below.get(parsed[0])
    if not confirm:
        require_coordinator(user)
        if target is None:
            await answer(update, t.plain("error.not_in_scope"), alert=True)
            return
        await answer(update)
        rows = [
            [
                InlineKeyboardButton(
                    t.plain("button.confirm_remove"),
                    callback_data=callbacks.encode(REMOVE_YES, parsed[0]),
                )
            ]
        ]
        await Reply(update, context).edit_or_send(
            t("coord.confirm_remove", name=target.name, unit=target.unit.name(t.language)),
            InlineKeyboardMarkup(rows),
        )
        return
    removed = await services(context).coordinators.remove(user, parsed[0])
    await answer(update)
    await Reply(update, context).edit_or_send(
        t("coord.removed", name=removed.name, unit=removed.unit.name(t.language))
    )
    wake_sender(context.application)
    await keep_menu_of(context.application, removed.telegram_id)


class WhoStep(ReplyKeyboardStep):
    """Whom to appoint: Telegram's "choose a user" button, or a typed id / @username;
    not oneself (asked again with the reason)."""

    name = "who"

    async def ask(self, turn: Turn) -> None:
        button = KeyboardButton(
            turn.tr.plain("button.choose_user"),
            request_users=KeyboardButtonRequestUsers(
                request_id=REQUEST_ID, user_is_bot=False, max_quantity=1
            ),
        )
        await turn.say(turn.tr("appoint.ask_who"), self.reply_keyboard(turn, button))

    async def _accept(self, turn: Turn, telegram_id: int) -> None:
        candidate = await turn.services.coordinators.candidate(turn.me, telegram_id)
        turn.draft_as(AppointDraft).telegram_id = candidate.telegram_id
        await turn.say(turn.tr("appoint.who_ok", name=candidate.name), ReplyKeyboardRemove())
        await turn.advance()

    async def on_answer(self, turn: Turn, text: str) -> None:
        await self._accept(turn, await turn.services.coordinators.find_telegram_id(text))

    async def on_users_shared(self, turn: Turn, user_ids: Sequence[int]) -> None:
        if len(user_ids) != 1:
            raise InvalidValue("who", "format")
        await self._accept(
            turn, await turn.services.coordinators.find_telegram_id(str(user_ids[0]))
        )


class UnitStep(Step):
    """Which unit: the units below the coordinator's, one level at a time."""

    name = "unit"

    async def ask(self, turn: Turn) -> None:
        parent = turn.draft_as(AppointDraft).parent_id
        units = await turn.services.coordinators.appointable_units(turn.me, parent)
        counts = await turn.services.org.child_counts([u.id for u in units])
        lang = turn.tr.language
        rows = []
        for u in units:
            row = [turn.button(u.name(lang), "pick", u.id)]
            if counts.get(u.id):
                row.append(turn.button(turn.tr.plain("button.open_unit"), "open", u.id))
            rows.append(row)
        if parent:
            rows.append([turn.button(turn.tr.plain("button.up"), "up")])
        await turn.show(turn.tr("appoint.ask_unit"), turn.keyboard(rows))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        draft = turn.draft_as(AppointDraft)
        if action == "up":
            parent = await turn.services.org.unit(draft.parent_id or 0)
            own = turn.me.coordinator_unit
            up = parent.parent_id if parent else None
            draft.parent_id = None if own is None or up == own.id else up
            await turn.save()
            await self.ask(turn)
            return
        unit_id = callbacks.decode_id(arg)
        if action not in ("pick", "open") or unit_id is None:
            await turn.ask_again()
            return
        allowed = await turn.services.coordinators.appointable_units(turn.me, draft.parent_id)
        if unit_id not in {u.id for u in allowed}:
            raise InvalidValue("unit", "not_found")
        if action == "open":
            draft.parent_id = unit_id
            await turn.save()
            await self.ask(turn)
            return
        draft.unit_id = unit_id
        await turn.advance()


class ConfirmAppointStep(Step):
    name = "confirm"

    async def ask(self, turn: Turn) -> None:
        d = turn.draft_as(AppointDraft)
        unit = await turn.services.org.unit(needed(d.unit_id, "unit"))
        who = await turn.services.coordinators.candidate(turn.me, needed(d.telegram_id, "who"))
        text = turn.tr(
            "appoint.confirm", who=who.name, unit=unit.name(turn.tr.language) if unit else "?"
        )
        rows = [[turn.button(turn.tr.plain("button.confirm"), "confirm")]]
        await turn.show(text, turn.keyboard(rows))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action == "confirm":
            await turn.advance()
        else:
            await turn.ask_again()


async def appoint_done(turn: Turn) -> None:
    d = turn.draft_as(AppointDraft)
    try:
        result = await turn.services.coordinators.appoint(
            turn.me, needed(d.telegram_id, "who"), needed(d.unit_id, "unit"), draft_of=turn.me.id
        )
    except (InvalidValue, UnknownUser) as error:
        if isinstance(error, InvalidValue) and error.field != "who":
            raise
        # not someone who may be appointed: the reason, and back at the question
        await turn.say(error_text(turn.tr, error))
        await turn.goto(WhoStep.name, remember=False)
        return
    c = result.coordinator
    await turn.show(turn.tr("appoint.done", name=c.name, unit=c.unit.name(turn.tr.language)))
    wake_sender(turn.context.application)
    await keep_menu_of(turn.context.application, c.telegram_id)


FLOWS = (
    Flow("appoint", AppointDraft, [WhoStep(), UnitStep(), ConfirmAppointStep()], appoint_done),
)

HANDLERS = [
    CommandHandler("coordinators", coordinators_command),
    CallbackQueryHandler(on_menu, pattern=callbacks.pattern(MENU)),
    CallbackQueryHandler(on_remove, pattern=callbacks.pattern(REMOVE_YES)),
    CallbackQueryHandler(on_remove, pattern=callbacks.pattern(REMOVE)),
]
