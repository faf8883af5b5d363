"""The questions of a request for help (点单): category, description, day and time
window, place, helpers, and the optional beneficiary (a coordinator first chooses the
community: handlers/requests/community.py). Contact phone reuses PhoneStep. The review's
"edit" flow asks the same questions (handlers/requests/review_edit.py). The answers go to
the draft's fields (bot/services/requests/drafts.py OrderAnswers), whose validators are
the service's own checks; whether a window is still ahead is checked here."""

from __future__ import annotations

from datetime import date, datetime

from bot.services.kernel.drafts import needed
from bot.services.kernel.errors import InvalidValue
from bot.services.kernel.validation import typed_number
from bot.services.requests import windows
from bot.services.requests.drafts import OrderAnswers
from bot.services.requests.forms import DESCRIPTION_MAX, HELPERS_MAX, TITLE_MAX
from handlers.flows.engine import Step
from handlers.flows.questions import grid
from handlers.flows.turn import Turn
from handlers.requests import when

WEEKDAYS = (
    "request.weekday_mon",
    "request.weekday_tue",
    "request.weekday_wed",
    "request.weekday_thu",
    "request.weekday_fri",
    "request.weekday_sat",
    "request.weekday_sun",
)
HELPER_BUTTONS = (1, 2, 3, 5)


def _now(turn: Turn) -> datetime:
    return turn.services.clock.now()  # type: ignore[no-any-return]


def _zone(turn: Turn) -> str:
    return turn.services.orders.timezone  # type: ignore[no-any-return]


def _days_ahead(turn: Turn) -> int:
    return turn.services.orders.max_days_ahead  # type: ignore[no-any-return]


def answers(turn: Turn) -> OrderAnswers:
    return turn.draft_as(OrderAnswers)


def _days(turn: Turn) -> list[date]:
    return when.day_choices(_now(turn), _zone(turn), _days_ahead(turn))


def set_window(turn: Turn, day: date, start: str, end: str) -> None:
    """Check the window and keep it in the flow's draft."""
    first, last = when.parse_window(f"{start}-{end}")
    starts_at, ends_at = when.window(day, first, last, _now(turn), _zone(turn), _days_ahead(turn))
    draft = answers(turn)
    draft.day, draft.starts_at, draft.ends_at = day, starts_at, ends_at


def _typed_full(turn: Turn, text: str) -> bool:
    """``2026-12-03 14:00-16:00`` at either step: True when taken."""
    try:
        parsed = when.parse_full(text)
    except when.BadFormat:
        raise InvalidValue("when", "format") from None
    if parsed is None:
        return False
    day, start, end = parsed
    set_window(turn, day, start.strftime("%H:%M"), end.strftime("%H:%M"))
    answers(turn).typed_window = True
    return True


class CategoryStep(Step):
    """The kind of help. ``note``: a word said once it is chosen (to a resident: what
    to expect; the category's guidance is for the volunteers, in their place message)."""

    name = "category"

    def __init__(self, question: str = "request.ask_category", note: str | None = None) -> None:
        self.question = question
        self.note = note

    async def ask(self, turn: Turn) -> None:
        lang = turn.tr.language
        categories = await turn.services.org.categories()
        buttons = [turn.button(c.name(lang), "pick", c.code) for c in categories]
        await turn.show(turn.tr(self.question), turn.keyboard(grid(buttons)))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        category = await turn.services.org.category(arg) if action == "pick" else None
        if category is None:
            raise InvalidValue("category", "unknown")
        answers(turn).category = category.code
        if self.note is not None:
            await turn.say(turn.tr(self.note, name=category.name(turn.tr.language)))
        await turn.advance()


class TitleStep(Step):
    """An activity's title (a resident's request has none)."""

    name = "title"

    async def ask(self, turn: Turn) -> None:
        await turn.say(turn.tr("activity.ask_title", max=TITLE_MAX), turn.keyboard([]))

    async def on_text(self, turn: Turn, text: str) -> None:
        answers(turn).title = text  # checked by the draft (free_text)
        await turn.advance()


class DescriptionStep(Step):
    name = "description"

    def __init__(self, question: str = "request.ask_description") -> None:
        self.question = question

    async def ask(self, turn: Turn) -> None:
        await turn.say(turn.tr(self.question, max=DESCRIPTION_MAX), turn.keyboard([]))

    async def on_text(self, turn: Turn, text: str) -> None:
        answers(turn).description = text  # checked by the draft (free_text)
        await turn.advance()


class DayStep(Step):
    name = "day"

    async def ask(self, turn: Turn) -> None:
        days = _days(turn)
        buttons = []
        for n, day in enumerate(days):
            if n == 0:
                label = turn.tr.plain("request.day_today")
            elif n == 1:
                label = turn.tr.plain("request.day_tomorrow")
            else:
                label = turn.tr.plain(
                    "request.day_other",
                    weekday=turn.tr.plain(WEEKDAYS[day.weekday()]),
                    date=day.strftime("%m-%d"),
                )
            buttons.append(turn.button(label, "pick", day.isoformat()))
        await turn.show(turn.tr("request.ask_day"), turn.keyboard(grid(buttons, 3)))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        try:
            day = date.fromisoformat(arg)
        except ValueError:
            await turn.ask_again()
            return
        if action != "pick" or day not in _days(turn):
            raise InvalidValue("starts_at", "past")
        answers(turn).day, answers(turn).typed_window = day, False
        await turn.advance()

    async def on_text(self, turn: Turn, text: str) -> None:
        if _typed_full(turn, text):
            await turn.advance()
            return
        try:
            day = when.parse_day(text)
        except when.BadFormat:
            day = None
        if day is None:
            raise InvalidValue("when", "format")
        windows.check_day(day, _now(turn), _zone(turn), _days_ahead(turn))
        answers(turn).day, answers(turn).typed_window = day, False
        await turn.advance()


class TimeStep(Step):
    name = "time"

    def applies(self, turn: Turn) -> bool:
        return not answers(turn).typed_window

    async def ask(self, turn: Turn) -> None:
        day = needed(answers(turn).day, "day")
        choices = when.open_windows(day, _now(turn), _zone(turn))
        buttons = [turn.button(w, "pick", w.replace(":", "")) for w in choices]
        key = "request.ask_time" if choices else "request.ask_time_none_left"
        await turn.show(turn.tr(key, day=day.isoformat()), turn.keyboard(grid(buttons, 3)))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        labels = {w.replace(":", ""): w for w in when.WINDOWS}
        if action != "pick" or arg not in labels:
            await turn.ask_again()
            return
        start, end = labels[arg].split("-")
        set_window(turn, needed(answers(turn).day, "day"), start, end)
        await turn.advance()

    async def on_text(self, turn: Turn, text: str) -> None:
        if not _typed_full(turn, text):
            try:
                start, end = when.parse_window(text)
            except when.BadFormat:
                raise InvalidValue("when", "format") from None
            day = needed(answers(turn).day, "day")
            set_window(turn, day, start.strftime("%H:%M"), end.strftime("%H:%M"))
        await turn.advance()


class PlaceStep(Step):
    name = "place"

    def __init__(self, question: str = "request.ask_place") -> None:
        self.question = question

    async def ask(self, turn: Turn) -> None:
        community = await turn.services.org.unit(answers(turn).community_id or 0)
        name = community.name(turn.tr.language) if community else ""
        await turn.say(turn.tr(self.question, community=name), turn.keyboard([]))

    async def on_text(self, turn: Turn, text: str) -> None:
        draft = answers(turn)
        draft.address = text  # checked by the draft (free_text)
        draft.latitude = draft.longitude = None
        await turn.advance()

    async def on_location(self, turn: Turn, latitude: float, longitude: float) -> None:
        draft = answers(turn)
        draft.latitude, draft.longitude = latitude, longitude
        draft.address = f"{latitude:.5f}, {longitude:.5f}"
        await turn.advance()


class HelpersStep(Step):
    name = "helpers"

    async def ask(self, turn: Turn) -> None:
        buttons = [turn.button(str(n), "pick", n) for n in HELPER_BUTTONS]
        await turn.show(turn.tr("request.ask_helpers", max=HELPERS_MAX), turn.keyboard([buttons]))

    async def _accept(self, turn: Turn, value: str) -> None:
        answers(turn).helpers = typed_number(value) or 0  # checked by the draft (1 … max)
        await turn.advance()

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action != "pick":
            await turn.ask_again()
            return
        await self._accept(turn, arg)

    async def on_text(self, turn: Turn, text: str) -> None:
        await self._accept(turn, text)


class BehalfStep(Step):
    """For the requester themself, or for someone without Telegram."""

    name = "behalf"

    async def ask(self, turn: Turn) -> None:
        rows = [
            [turn.button(turn.tr.plain("request.button_for_me"), "pick", "me")],
            [turn.button(turn.tr.plain("request.button_for_other"), "pick", "other")],
        ]
        await turn.show(turn.tr("request.ask_behalf"), turn.keyboard(rows))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action != "pick" or arg not in ("me", "other"):
            await turn.ask_again()
            return
        draft = answers(turn)
        draft.behalf = arg == "other"
        if not draft.behalf:
            draft.b_name = draft.b_phone = draft.b_address = None
        await turn.advance()


class _BeneficiaryStep(Step):
    def applies(self, turn: Turn) -> bool:
        return answers(turn).behalf


class BeneficiaryNameStep(_BeneficiaryStep):
    name = "b_name"

    async def ask(self, turn: Turn) -> None:
        await turn.say(turn.tr("request.ask_b_name"), turn.keyboard([]))

    async def on_text(self, turn: Turn, text: str) -> None:
        answers(turn).b_name = text  # checked by the draft (clean_name)
        await turn.advance()


class BeneficiaryPhoneStep(_BeneficiaryStep):
    name = "b_phone"

    async def ask(self, turn: Turn) -> None:
        await turn.say(turn.tr("request.ask_b_phone"), turn.keyboard([]))

    async def on_text(self, turn: Turn, text: str) -> None:
        answers(turn).b_phone = text  # checked by the draft (normalize_phone)
        await turn.advance()


class BeneficiaryAddressStep(_BeneficiaryStep):
    name = "b_address"

    async def ask(self, turn: Turn) -> None:
        await turn.say(turn.tr("request.ask_b_address"), turn.keyboard([]))

    async def on_text(self, turn: Turn, text: str) -> None:
        answers(turn).b_address = text  # checked by the draft (free_text)
        await turn.advance()
