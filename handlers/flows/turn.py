"""One user's turn in a flow: their update, the saved state (the draft, and beside it
where "back" leads), and the ways to move (handlers/flows/engine.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.callback_data import encode
from bot.i18n import Translator
from bot.services.kernel.drafts import Draft
from bot.services.kernel.dto import FlowDTO, UserDTO
from bot.services.kernel.errors import DomainError, InvalidValue
from handlers.common import Markup, Reply, answer_error, error_text, me, services, tr
from handlers.flows.engine import PREFIX, Flow, Step

D = TypeVar("D", bound=Draft)
HISTORY_MAX = 20


@dataclass
class Turn:
    update: Update
    context: ContextTypes.DEFAULT_TYPE
    flow: Flow
    state: FlowDTO
    draft: Draft
    history: list[str] = field(default_factory=list)  # the steps answered, newest last
    return_to: str | None = None  # an edit from a summary: back there …
    return_until: str | None = None  # … once this step is answered

    @classmethod
    def of(
        cls, update: Update, context: ContextTypes.DEFAULT_TYPE, flow: Flow, state: FlowDTO
    ) -> Turn:
        """The turn of a stored state; its draft validated (pydantic's ValidationError or
        InvalidValue when it no longer fits the flow's model)."""
        draft = flow.draft.model_validate(state.data)
        return cls(
            update, context, flow, state, draft, list(state.history), state.return_to,
            state.return_until,
        )  # fmt: skip

    def draft_as(self, kind: type[D]) -> D:
        """The draft as the model a step knows (a shared step's answers are a mixin of
        every draft that asks it)."""
        if not isinstance(self.draft, kind):
            raise TypeError(f"the draft of {self.flow.name!r} is not a {kind.__name__}")
        return self.draft

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

    @property
    def can_go_back(self) -> bool:
        """The flow has an earlier question (or a summary) to go back to."""
        return bool(self.history or self.return_to)

    # --- buttons --------------------------------------------------------------------
    def button(self, label: str, action: str, arg: int | str = "") -> InlineKeyboardButton:
        return InlineKeyboardButton(
            label, callback_data=encode(PREFIX, self.state.nonce, action, arg)
        )

    def nav_row(self, back: bool = True) -> list[InlineKeyboardButton]:
        row = []
        if back and self.can_go_back:
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
            self.me.id,
            self.flow.name,
            step or self.state.step,
            self.draft.dump(),
            history=self.history,
            return_to=self.return_to,
            return_until=self.return_until,
        )

    async def goto(self, step: str, *, remember: bool = True) -> None:
        if remember and step != self.state.step:
            self.history = [*self.history, self.state.step][-HISTORY_MAX:]
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
        target = self.return_to
        if target:
            until = self.flow.index(self.return_until or self.state.step)
            if not following or self.flow.index(following[0].name) > until:
                self.return_to = self.return_until = None
                await self.goto(target, remember=False)
                return
        if following:
            await self.goto(following[0].name)
            return
        await self.flow.done(self)

    async def edit_field(self, step: str, until: str | None = None) -> None:
        """From a summary: ask ``step`` (through ``until``) again, then come back."""
        self.return_to = self.state.step
        self.return_until = until or step
        await self.goto(step, remember=False)

    async def back(self) -> None:
        if self.return_to:
            target = self.return_to
            self.return_to = self.return_until = None
        elif self.history:
            *self.history, target = self.history
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

    async def refused(self, error: DomainError) -> None:
        """The service refused what the flow's last step asked of it: a bad value is
        said and asked again (the flow and its answers kept); any other refusal ends
        the flow and is answered."""
        if isinstance(error, InvalidValue):
            await self.invalid(error)
            return
        await self.finish()
        await answer_error(self.update, self.context, error)

    async def finish(self) -> None:
        """End the flow without a service consuming its draft (a refusal, a skip); a
        flow's last step instead passes ``draft_of=turn.me.id`` to the service, which
        clears the draft in its own transaction."""
        await self.services.flows.clear(self.me.id)
