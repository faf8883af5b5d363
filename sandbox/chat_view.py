"""A chat seen from the simulated world's side: its messages now, and waiting for the bot."""

from __future__ import annotations

from collections.abc import Callable

from sandbox.errors import SandboxTimeout
from sandbox.keyboards import button_label
from sandbox.state import BotState, ChatState, World
from sandbox.views import BotMessage, ChatEvent

REPLY_KINDS = ("sent", "edited")


def describe_events(events: list[ChatEvent]) -> str:
    if not events:
        return "nothing"
    lines = []
    for ev in events:
        line = f"  #{ev.seq} {ev.kind}"
        if ev.message_id is not None:
            line += f" message {ev.message_id}"
        if ev.message is not None:
            line += f": {ev.message.content!r}"
            if ev.message.buttons:
                line += f" buttons={ev.message.buttons}"
        elif ev.data:
            line += f" {ev.data}"
        lines.append(line)
    return "\n" + "\n".join(lines)


class ChatView:
    def __init__(self, world: World, bot: BotState, chat: ChatState) -> None:
        self.world = world
        self.bot = bot
        self.chat = chat
        self._mark = world.last_seq  # events after this are "since the last action"

    @property
    def chat_id(self) -> int:
        return self.chat.id

    @property
    def messages(self) -> list[BotMessage]:
        """The bot's messages in this chat as they are now, oldest first."""
        return [m.view() for m in self.chat.bot_messages()]

    @property
    def all_messages(self) -> list[BotMessage]:
        """Every message of the chat, the user's too (``from_bot`` tells them apart)."""
        return [m.view() for m in self.chat.messages.values()]

    @property
    def last(self) -> BotMessage | None:
        bot_messages = self.chat.bot_messages()
        return bot_messages[-1].view() if bot_messages else None

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        markup = self.chat.reply_keyboard
        if markup is None:
            return None
        return [[button_label(b) for b in row] for row in markup["keyboard"]]

    def events_since_last_action(self) -> list[ChatEvent]:
        return [e for e in self.chat.events if e.seq > self._mark]

    def _first_reply(self, match: Callable[[BotMessage], bool]) -> ChatEvent | None:
        events = self.chat.events
        start = len(events)
        while start > 0 and events[start - 1].seq > self._mark:
            start -= 1
        for event in events[start:]:
            if event.kind in REPLY_KINDS and event.message is not None and match(event.message):
                return event
        return None

    async def next_reply(self, timeout: float = 10) -> BotMessage:
        """The next bot message or edit in this chat after the last action (then the one after)."""
        return await self.wait_for(timeout=timeout, _what="a reply from the bot")

    async def wait_for(
        self,
        text_contains: str | None = None,
        predicate: Callable[[BotMessage], bool] | None = None,
        timeout: float = 10,
        *,
        _what: str | None = None,
    ) -> BotMessage:
        """Wait for a bot message/edit after the last action that contains ``text_contains``
        (in its text or caption) and satisfies ``predicate``; AssertionError on timeout."""

        def match(message: BotMessage) -> bool:
            if text_contains is not None and text_contains not in message.content:
                return False
            return predicate is None or bool(predicate(message))

        found = await self.world.signal.wait_until(
            lambda: self._first_reply(match) is not None, timeout
        )
        event = self._first_reply(match) if found else None
        if event is None or event.message is None:
            what = _what or (
                f"a bot message containing {text_contains!r}" if text_contains else
                "a bot message matching the predicate"
            )  # fmt: skip
            raise SandboxTimeout(
                f"chat {self.chat_id}: waited {timeout}s for {what}; since the last action "
                f"the chat received: {describe_events(self.events_since_last_action())}"
            )
        self._mark = event.seq
        return event.message

    def mark(self) -> None:
        """Forget everything so far: the next wait looks only at what comes after now."""
        self._mark = self.world.last_seq
