"""Updates to the user's current step (handlers/flows/engine.py): starting a flow,
finding the user's turn, text/contacts/locations/shared users and the flow's buttons,
/cancel. The flows come from the FlowRegistry in the application's bot_data."""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from pydantic import ValidationError
from telegram import Message, ReplyKeyboardRemove, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.services.kernel.drafts import Draft
from bot.services.kernel.errors import DomainError, InvalidValue
from handlers.common import Reply, answer, answer_error, me, services, tr
from handlers.flows.engine import REGISTRY_KEY, FlowRegistry
from handlers.flows.turn import Turn

log = logging.getLogger(__name__)


def flows_of(context: ContextTypes.DEFAULT_TYPE) -> FlowRegistry:
    return context.application.bot_data[REGISTRY_KEY]  # type: ignore[no-any-return]


async def start_flow(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    name: str,
    draft: Draft | Mapping[str, Any] | None = None,
    step: str | None = None,
) -> Turn:
    """Begin (or restart) a flow at its first applicable step, or at ``step``."""
    flow = flows_of(context)[name]
    if not isinstance(draft, flow.draft):  # a dict, or another flow's answers
        draft = flow.draft.model_validate(
            draft.dump() if isinstance(draft, Draft) else dict(draft or {})
        )
    first = step or flow.steps[0].name
    state = await services(context).flows.save(me(context).id, flow.name, first, draft.dump())
    turn = Turn(update, context, flow, state, draft)
    if step is None and not flow.steps[0].applies(turn):
        await turn.advance()
    else:
        await turn.ask_again()
    return turn


async def current_turn(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Turn | None:
    """The user's turn, or None: no flow, or one this version does not have (that step),
    or a draft that no longer fits its model (saved by an older version): dropped, and
    the user answered as when there is no flow (they start again)."""
    user = me(context)
    state = await services(context).flows.get(user.id)
    flow = flows_of(context).get(state.flow) if state is not None else None
    if state is None or flow is None or not flow.has_step(state.step):
        return None
    try:
        return Turn.of(update, context, flow, state)
    except (ValidationError, DomainError) as error:
        log.info(
            "dropped the %s draft of user %s that no longer fits: %s", flow.name, user.id, error
        )
        await services(context).flows.clear(user.id)
        return None


async def _dispatch(turn: Turn, call: Callable[[], Awaitable[None]]) -> None:
    try:
        await call()
    except InvalidValue as error:
        await turn.invalid(error)


async def answering_turn(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Turn | None:
    """The turn a message answers, or None, the user told there is no flow to answer."""
    turn = await current_turn(update, context)
    if turn is None:
        await Reply(update, context).send(tr(context)("flow.no_flow"))
    return turn


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Text, contacts, locations and shared users go to the user's current step."""
    message = update.effective_message
    if message is None:
        return
    turn = await answering_turn(update, context)
    if turn is None:
        return
    step = turn.step
    try:
        if message.contact is not None:
            contact = message.contact
            await _dispatch(
                turn, lambda: step.on_contact(turn, contact.phone_number, contact.user_id)
            )
        elif message.location is not None:
            loc = message.location
            await _dispatch(turn, lambda: step.on_location(turn, loc.latitude, loc.longitude))
        elif message.users_shared is not None:
            ids = [u.user_id for u in message.users_shared.users]
            await _dispatch(turn, lambda: step.on_users_shared(turn, ids))
        elif message.photo:
            file_id, caption = message.photo[-1].file_id, written_html(message)
            await _dispatch(turn, lambda: step.on_photo(turn, file_id, caption))
        elif message.document is not None:
            mime = message.document.mime_type
            await _dispatch(turn, lambda: step.on_document(turn, mime))
        elif message.text is not None:
            text = message.text
            await _dispatch(turn, lambda: step.on_text(turn, text))
        else:
            await turn.retry("flow.not_expected")
    except DomainError as error:
        await answer_error(update, context, error)


def written_html(message: Message) -> str | None:
    """What the person wrote (the text, or a photo's caption) as Telegram HTML: their
    formatting when they used Telegram's (bold, links …), the tags themselves when they
    typed some (``<b>`` …: checked later, as Telegram would), else the words escaped."""
    words = message.text if message.text is not None else message.caption
    if words is None:
        return None
    if message.entities or message.caption_entities:
        return message.text_html if message.text is not None else message.caption_html
    return words if "<" in words else html.escape(words, quote=False)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    parts = query.data.split(":", 3)
    turn = await current_turn(update, context)
    if len(parts) != 4 or turn is None or parts[1] != str(turn.state.nonce):
        log.info("stale flow button %r from %s", query.data, query.from_user.id)
        await answer(update, tr(context).plain("flow.stale"), alert=True)
        await retire_buttons(update)
        return
    await answer(update)
    _, _, action, arg = parts
    if action == "cancel":
        await cancel_flow(update, context)
        return
    if action == "back":
        await turn.back()
        return
    try:
        await _dispatch(turn, lambda: turn.step.on_button(turn, action, arg))
    except DomainError as error:
        await answer_error(update, context, error)


async def retire_buttons(update: Update) -> None:
    """Take the buttons off the pressed message when the press was one of them (not
    forged data): the message stays as it was, far up the chat, and cannot be pressed
    again; the current question is where it is."""
    query = update.callback_query
    assert query is not None
    message = query.message
    if not isinstance(message, Message) or message.text is None or message.reply_markup is None:
        return
    if not any(
        button.callback_data == query.data
        for row in message.reply_markup.inline_keyboard
        for button in row
    ):
        return
    try:
        # the same text and entities, without the keyboard (editMessageReplyMarkup would
        # carry the default parse_mode, a parameter that method does not have)
        await query.edit_message_text(
            message.text, entities=message.entities, parse_mode=None, reply_markup=None
        )
    except BadRequest as exc:  # too old to edit, or already without buttons
        log.info("could not take the buttons off a stale message: %s", exc)


async def cancel_flow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Leave whatever flow the user is in; True if there was one."""
    state = await services(context).flows.get(me(context).id)
    had_flow = await services(context).flows.clear(me(context).id)
    flow = flows_of(context).get(state.flow) if state is not None else None
    key = flow.cancel_note if flow is not None else "flow.cancelled"
    text = tr(context)(key if had_flow else "flow.nothing_to_cancel")
    await Reply(update, context).send(text, ReplyKeyboardRemove())
    return had_flow
