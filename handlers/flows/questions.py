"""Reusable questions: name, phone, street → community → grid, specialty teams, consent.

Registration and profile editing ask the same questions; each step stores its answer in
its field of the flow's draft (bot/services/kernel/drafts.py, bot/services/people/drafts.py),
whose validators are the services' own checks.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.callback_data import decode_id
from bot.services.kernel.drafts import NameAnswer, PhoneAnswer
from bot.services.kernel.errors import InvalidValue
from bot.services.kernel.states import UnitKind
from bot.services.people.drafts import ConsentAnswer, HomeAnswers, TeamsAnswer
from handlers.flows.dispatch import cancel_flow
from handlers.flows.engine import Step
from handlers.flows.turn import Turn

COLUMNS = 2


def grid(
    buttons: Sequence[InlineKeyboardButton], columns: int = COLUMNS
) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + columns]) for i in range(0, len(buttons), columns)]


class NameStep(Step):
    name = "name"

    async def ask(self, turn: Turn) -> None:
        await turn.say(turn.tr("ask.name"), turn.keyboard([]))

    async def on_text(self, turn: Turn, text: str) -> None:
        turn.draft_as(NameAnswer).name = text  # checked by the draft (clean_name)
        await turn.advance()


class ReplyKeyboardStep(Step):
    """A question answered with a button of Telegram's reply keyboard (share my phone,
    choose a user) or by typing. A message carries one reply_markup, so the question is
    one message whose reply keyboard holds that button and, under it, back and cancel:
    they send their label as text, which :meth:`on_text` takes for what it says."""

    def reply_keyboard(
        self, turn: Turn, button: KeyboardButton, placeholder: str | None = None
    ) -> ReplyKeyboardMarkup:
        nav = [KeyboardButton(turn.tr.plain("button.cancel"))]
        if turn.can_go_back:
            nav.insert(0, KeyboardButton(turn.tr.plain("button.back")))
        return ReplyKeyboardMarkup(
            [[button], nav],
            resize_keyboard=True,
            one_time_keyboard=True,
            input_field_placeholder=placeholder,
        )

    async def on_text(self, turn: Turn, text: str) -> None:
        label = text.strip()
        if label == turn.tr.plain("button.cancel"):
            await cancel_flow(turn.update, turn.context)
        elif label == turn.tr.plain("button.back") and turn.can_go_back:
            await turn.back()  # the keyboard is one-time: the tap put it away
        else:
            await self.on_answer(turn, text)

    async def on_answer(self, turn: Turn, text: str) -> None:
        """The typed answer."""
        await turn.retry("flow.use_buttons")


class PhoneStep(ReplyKeyboardStep):
    """Telegram's contact button, or a number typed and validated."""

    name = "phone"

    async def ask(self, turn: Turn) -> None:
        button = KeyboardButton(turn.tr.plain("button.share_phone"), request_contact=True)
        keyboard = self.reply_keyboard(turn, button, turn.tr.plain("placeholder.phone"))
        await turn.say(turn.tr("ask.phone"), keyboard)

    async def _accept(self, turn: Turn, phone: str, verified: bool = False) -> None:
        draft = turn.draft_as(PhoneAnswer)
        draft.phone = phone  # checked by the draft (normalize_phone)
        draft.phone_verified = verified
        key = "phone.saved_verified" if verified else "phone.saved"
        await turn.say(turn.tr(key, phone=draft.phone), ReplyKeyboardRemove())
        await turn.advance()

    async def on_answer(self, turn: Turn, text: str) -> None:
        await self._accept(turn, text)

    async def on_contact(self, turn: Turn, phone: str, contact_user_id: int | None) -> None:
        """The contact button shares the sender's own card, with their user id: a
        verified number. A card without a user id (a phone-book entry, forwarded) says
        nothing of whose number it is: it counts as typed; another user's is refused."""
        if contact_user_id is not None and contact_user_id != turn.me.telegram_id:
            raise InvalidValue("phone", "not_own")
        await self._accept(turn, phone, verified=contact_user_id == turn.me.telegram_id)


class StreetStep(Step):
    name = "street"

    async def ask(self, turn: Turn) -> None:
        streets = await turn.services.org.streets()
        lang = turn.me.language
        buttons = [turn.button(s.name(lang), "pick", s.id) for s in streets]
        await turn.show(turn.tr("ask.street"), turn.keyboard(grid(buttons)))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        street_id = decode_id(arg)
        if action != "pick" or street_id is None:
            await turn.ask_again()
            return
        streets = {s.id: s for s in await turn.services.org.streets()}
        if street_id not in streets:
            raise InvalidValue("street", "not_found")
        draft = turn.draft_as(HomeAnswers)
        if draft.street_id != street_id:
            draft.community_id = draft.grid_id = None
        draft.street_id = street_id
        await turn.advance()


class CommunityStep(Step):
    name = "community"

    async def ask(self, turn: Turn) -> None:
        street_id = turn.draft_as(HomeAnswers).street_id or 0
        communities = await turn.services.org.children(street_id, UnitKind.COMMUNITY)
        lang = turn.me.language
        buttons = [turn.button(c.name(lang), "pick", c.id) for c in communities]
        await turn.show(turn.tr("ask.community"), turn.keyboard(grid(buttons)))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        community_id = decode_id(arg)
        if action != "pick" or community_id is None:
            await turn.ask_again()
            return
        draft = turn.draft_as(HomeAnswers)
        community = await turn.services.org.require_child(
            draft.street_id or 0, community_id, UnitKind.COMMUNITY, "community"
        )
        if draft.community_id != community.id:
            draft.grid_id = None
        draft.community_id = community.id
        grids = await turn.services.org.children(community.id, UnitKind.GRID)
        draft.community_has_grids = bool(grids)
        await turn.advance()


class GridStep(Step):
    """Optional: only asked when the community has grids; "skip" is an answer."""

    name = "grid"

    def applies(self, turn: Turn) -> bool:
        return turn.draft_as(HomeAnswers).community_has_grids

    async def ask(self, turn: Turn) -> None:
        community_id = turn.draft_as(HomeAnswers).community_id or 0
        grids = await turn.services.org.children(community_id, UnitKind.GRID)
        lang = turn.me.language
        buttons = [turn.button(g.name(lang), "pick", g.id) for g in grids]
        rows = [*grid(buttons), [turn.button(turn.tr.plain("button.skip"), "skip")]]
        await turn.show(turn.tr("ask.grid"), turn.keyboard(rows))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        grid_id = decode_id(arg)
        draft = turn.draft_as(HomeAnswers)
        if action == "skip":
            draft.grid_id = None
        elif action == "pick" and grid_id is not None:
            unit = await turn.services.org.require_child(
                draft.community_id or 0, grid_id, UnitKind.GRID, "grid"
            )
            draft.grid_id = unit.id
        else:
            await turn.ask_again()
            return
        await turn.advance()


class TeamsStep(Step):
    """Several teams may be chosen: each press toggles one, "done" moves on
    (``question``: the message asking)."""

    name = "teams"

    def __init__(self, question: str = "ask.teams") -> None:
        self.question = question

    async def ask(self, turn: Turn) -> None:
        teams = await turn.services.org.teams()
        chosen = set(turn.draft_as(TeamsAnswer).team_ids)
        lang = turn.me.language
        buttons = [
            turn.button(("✅ " if t.id in chosen else "▫️ ") + t.name(lang), "toggle", t.id)
            for t in teams
        ]
        rows = [*grid(buttons), [turn.button(turn.tr.plain("button.done"), "done")]]
        await turn.show(turn.tr(self.question), turn.keyboard(rows))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        team_id = decode_id(arg)
        if action == "toggle" and team_id is not None:
            known = {t.id for t in await turn.services.org.teams()}
            if team_id not in known:
                raise InvalidValue("teams", "not_found")
            draft = turn.draft_as(TeamsAnswer)
            draft.team_ids = sorted(set(draft.team_ids) ^ {team_id})
            await turn.save()
            await self.ask(turn)
        elif action == "done":
            await turn.advance()
        else:
            await turn.ask_again()


class ConsentStep(Step):
    name = "consent"

    async def ask(self, turn: Turn) -> None:
        rows = [[turn.button(turn.tr.plain("button.agree"), "agree")]]
        await turn.show(turn.tr("ask.consent"), turn.keyboard(rows))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action != "agree":
            await turn.ask_again()
            return
        turn.draft_as(ConsentAnswer).consent = True
        await turn.advance()
