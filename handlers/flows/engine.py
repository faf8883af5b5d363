"""Multi-step chat flows whose state lives in the database.

PTB's ConversationHandler keeps its state in memory and its persistence writes back on
an interval and cannot be shared between processes; a restart or a second worker would
lose the user's place. Here every step is saved (services.flows) before the next
question is asked, so the user's next message or press continues where they were, in
any process.

A flow is an ordered list of steps. A step asks its question (``ask``) and handles the
answer (``on_text``, ``on_button``, ``on_contact`` …); bad input gets a kind message and
the same question again, with everything entered so far kept. Buttons of a flow carry
the state's nonce (``f:<nonce>:<action>:<arg>``), drawn anew at every step: a press on
a button of an earlier question (or of a flow that ended) is answered as stale and that
message's buttons are taken off; the message itself, and the current question further
down, stay as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.callback_data import encode
from bot.i18n import Translator
from bot.services.kernel.dto import FlowDTO, UserDTO
from bot.services.kernel.errors import DomainError, InvalidValue
from handlers.common import Markup, Reply, answer, answer_error, error_text, me, services, tr

log = logging.getLogger(__name__)

PREFIX = "f"
HISTORY = "_history"
RETURN_TO = "_return"
RETURN_UNTIL = "_return_until"


class Step:
    """One question of a flow. Subclasses override what they accept."""

    name: str = ""

    def applies(self, turn: Turn) -> bool:
        """False to skip this step (e.g. no grids to choose from)."""
        return True

    async def ask(self, turn: Turn) -> None:
        raise NotImplementedError

    async def on_text(self, turn: Turn, text: str) -> None:
        await turn.retry("flow.use_buttons")

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        await turn.ask_again()

    async def on_contact(self, turn: Turn, phone: str, contact_user_id: int | None) -> None:
        await turn.retry("flow.not_expected")

    async def on_location(self, turn: Turn, latitude: float, longitude: float) -> None:
        await turn.retry("flow.not_expected")

    async def on_users_shared(self, turn: Turn, user_ids: Sequence[int]) -> None:
        await turn.retry("flow.not_expected")


Done = Callable[["Turn"], Awaitable[None]]


@dataclass(frozen=True)
class Flow:
    name: str
    steps: Sequence[Step]
    done: Done
    cancel_note: str = "flow.cancelled"

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    def index(self, name: str) -> int:
        return [s.name for s in self.steps].index(name)


FLOWS: dict[str, Flow] = {}


def register_flow(flow: Flow) -> Flow:
    FLOWS[flow.name] = flow
    return flow


@dataclass
class Turn:
    """One user's turn in a flow: their update, the saved state, and the ways to move."""

    update: Update
    context: ContextTypes.DEFAULT_TYPE
    flow: Flow
    state: FlowDTO
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def me(self) -> UserDTO:
        return me(self.context)

    @property
    def tr(self) -> Translator:
        return tr(self.context)

    @property
    def services(self) -> Any:
        return services(self.context)

    @property
    def reply(self) -> Reply:
        return Reply(self.update, self.context)

    @property
    def step(self) -> Step:
        return self.flow.step(self.state.step)

    # --- buttons --------------------------------------------------------------------
    def button(self, label: str, action: str, arg: int | str = "") -> InlineKeyboardButton:
        return InlineKeyboardButton(
            label, callback_data=encode(PREFIX, self.state.nonce, action, arg)
        )

    def nav_row(self, back: bool = True) -> list[InlineKeyboardButton]:
        row = []
        if back and (self.data.get(HISTORY) or self.data.get(RETURN_TO)):
            row.append(self.button(self.tr.plain("button.back"), "back"))
        row.append(self.button(self.tr.plain("button.cancel"), "cancel"))
        return row

    def keyboard(
        self, rows: Sequence[Sequence[InlineKeyboardButton]], back: bool = True
    ) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([*[list(r) for r in rows if r], self.nav_row(back)])

    async def say(self, text: str, markup: Markup | None = None) -> None:
        await self.reply.send(text, markup)

    async def show(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Replace the pressed message when a button led here, else send."""
        if self.update.callback_query is not None:
            await self.reply.edit_or_send(text, markup)
        else:
            await self.reply.send(text, markup)

    # --- moving ---------------------------------------------------------------------
    async def save(self, step: str | None = None) -> None:
        self.state = await self.services.flows.save(
            self.me.id, self.flow.name, step or self.state.step, self.data
        )

    async def goto(self, step: str, *, remember: bool = True) -> None:
        if remember and step != self.state.step:
            history = list(self.data.get(HISTORY, []))
            history.append(self.state.step)
            self.data[HISTORY] = history[-20:]
        await self.save(step)
        await self.step.ask(self)

    async def advance(self) -> None:
        """On to the next applicable step; back to the summary once the fields being
        edited from it are answered; or finish the flow."""
        following = [
            step
            for step in self.flow.steps[self.flow.index(self.state.step) + 1 :]
            if step.applies(self)
        ]
        target = self.data.get(RETURN_TO)
        if target:
            until = self.flow.index(self.data.get(RETURN_UNTIL) or self.state.step)
            if not following or self.flow.index(following[0].name) > until:
                self.data.pop(RETURN_TO, None)
                self.data.pop(RETURN_UNTIL, None)
                await self.goto(target, remember=False)
                return
        if following:
            await self.goto(following[0].name)
            return
        await self.flow.done(self)

    async def edit_field(self, step: str, until: str | None = None) -> None:
        """From a summary: ask ``step`` (through ``until``) again, then come back."""
        self.data[RETURN_TO] = self.state.step
        self.data[RETURN_UNTIL] = until or step
        await self.goto(step, remember=False)

    async def back(self) -> None:
        history = list(self.data.get(HISTORY, []))
        if self.data.get(RETURN_TO):
            target = self.data.pop(RETURN_TO)
            self.data.pop(RETURN_UNTIL, None)
        elif history:
            target = history.pop()
            self.data[HISTORY] = history
        else:
            await self.ask_again()
            return
        await self.save(target)
        await self.step.ask(self)

    async def ask_again(self) -> None:
        await self.step.ask(self)

    async def retry(self, key: str, **values: Any) -> None:
        """A kind word about what was wrong, then the same question (nothing lost)."""
        await self.say(self.tr(key, **values))
        await self.step.ask(self)

    async def invalid(self, error: DomainError) -> None:
        await self.say(error_text(self.tr, error))
        await self.step.ask(self)

    async def finish(self) -> None:
        await self.services.flows.clear(self.me.id)


async def start_flow(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    name: str,
    data: dict[str, Any] | None = None,
    step: str | None = None,
) -> Turn:
    """Begin (or restart) a flow at its first applicable step, or at ``step``."""
    flow = FLOWS[name]
    user = me(context)
    first = step or flow.steps[0].name
    state = await services(context).flows.save(user.id, flow.name, first, dict(data or {}))
    turn = Turn(update, context, flow, state, dict(state.data))
    if step is None and not flow.steps[0].applies(turn):
        await turn.advance()
    else:
        await turn.ask_again()
    return turn


async def current_turn(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Turn | None:
    state = await services(context).flows.get(me(context).id)
    if state is None or state.flow not in FLOWS:
        return None
    flow = FLOWS[state.flow]
    if state.step not in [s.name for s in flow.steps]:
        return None
    return Turn(update, context, flow, state, dict(state.data))


async def _dispatch(turn: Turn, call: Callable[[], Awaitable[None]]) -> None:
    try:
        await call()
    except InvalidValue as error:
        await turn.invalid(error)


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Text, contacts, locations and shared users go to the user's current step."""
    message = update.effective_message
    if message is None:
        return
    turn = await current_turn(update, context)
    if turn is None:
        await Reply(update, context).send(tr(context)("flow.no_flow"))
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
        elif message.text is not None:
            text = message.text
            await _dispatch(turn, lambda: step.on_text(turn, text))
        else:
            await turn.retry("flow.not_expected")
    except DomainError as error:
        await answer_error(update, context, error)


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
    from telegram import ReplyKeyboardRemove

    state = await services(context).flows.get(me(context).id)
    had_flow = await services(context).flows.clear(me(context).id)
    key = FLOWS[state.flow].cancel_note if state and state.flow in FLOWS else "flow.cancelled"
    text = tr(context)(key if had_flow else "flow.nothing_to_cancel")
    await Reply(update, context).send(text, ReplyKeyboardRemove())
    return had_flow
