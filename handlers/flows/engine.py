"""Multi-step chat flows whose state lives in the database.

PTB's ConversationHandler keeps its state in memory and its persistence writes back on
an interval and cannot be shared between processes; a restart or a second worker would
lose the user's place. Here every step is saved (services.flows) before the next
question is asked, so the user's next message or press continues where they were, in
any process.

A flow is an ordered list of steps and the type of its draft (a pydantic model, in
the service package that consumes it: bot/services/*/drafts.py). A step asks its
question (``ask``) and handles the answer (``on_text``, ``on_button``, ``on_contact``
…); bad input gets a kind message and the same question again, with everything entered
so far kept. Buttons of a flow carry the state's nonce (``f:<nonce>:<action>:<arg>``),
drawn anew at every step: a press on a button of an earlier question (or of a flow that
ended) is answered as stale and that message's buttons are taken off; the message
itself, and the current question further down, stay as they are.

Each feature module lists its flows in a ``FLOWS`` tuple; handlers/__init__.py builds
one :class:`FlowRegistry` of them and keeps it in the application's ``bot_data``
(nothing is registered at import time). The moving parts: handlers/flows/turn.py (a
user's turn: their draft and where "back" leads), handlers/flows/dispatch.py (updates
to the current step, starting and cancelling).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.services.kernel.drafts import Draft

if TYPE_CHECKING:
    from handlers.flows.turn import Turn

PREFIX = "f"
REGISTRY_KEY = "flows"  # the FlowRegistry in the application's bot_data


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

    async def on_photo(self, turn: Turn, file_id: str, caption: str | None) -> None:
        """A photo (its largest size's file id), with its caption as Telegram HTML."""
        await turn.retry("flow.not_expected")

    async def on_document(self, turn: Turn, mime_type: str | None) -> None:
        await turn.retry("flow.not_expected")


Done = Callable[["Turn"], Awaitable[None]]


@dataclass(frozen=True)
class Flow:
    name: str
    draft: type[Draft]  # the answers' model
    steps: Sequence[Step]
    done: Done  # after the last step; the service it calls clears the draft
    cancel_note: str = "flow.cancelled"

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    def index(self, name: str) -> int:
        return [s.name for s in self.steps].index(name)

    def has_step(self, name: str) -> bool:
        return any(step.name == name for step in self.steps)


class FlowRegistry:
    """The flows by name, built once by handlers.register from the features' FLOWS."""

    def __init__(self, flows: Iterable[Flow]) -> None:
        self._flows: dict[str, Flow] = {}
        for flow in flows:
            if flow.name in self._flows:
                raise ValueError(f"two flows named {flow.name!r}")
            self._flows[flow.name] = flow

    def get(self, name: str) -> Flow | None:
        return self._flows.get(name)

    def __getitem__(self, name: str) -> Flow:
        return self._flows[name]

    def __contains__(self, name: object) -> bool:
        return name in self._flows

    def __iter__(self) -> Iterator[Flow]:
        return iter(self._flows.values())

    def __len__(self) -> int:
        return len(self._flows)
