"""Coordinators keep their unit's rewards catalogue: /managerewards lists it (paged), a
reward's card offers edit and withdraw, and "add" asks name → description → cost →
stock → first and last day → photo (sent in the chat) → a summary to change any of it
or save. A bad answer (a cost of 0 or below, a negative stock, a name too long, a last
day before the first) gets a kind word and the same question; nothing typed is lost.

Every press is re-checked by RewardService: a reward of another unit is NotInScope, a
withdrawn or forged one NotFound."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.i18n import Markup, Translator
from bot.messages import rewards as words
from bot.services.kernel.errors import InvalidValue
from bot.services.kernel.validation import typed_number
from bot.services.points.drafts import RewardDraft
from bot.services.points.rewards import NAME_MAX, STOCK_MAX, RewardDTO, typed_cost
from handlers.common import answer, domain_errors, me, pressed_ids, services, tr
from handlers.flows.dispatch import start_flow
from handlers.flows.engine import Flow, Step
from handlers.flows.turn import Turn
from handlers.paging import nav_row, paged
from handlers.points.rewards_common import button, send_card, settle, show_list

LIST = "bl"  # bl:<page>
CARD = "bo"  # bo:<reward id>
ADD = "ba"
EDIT = "be"  # be:<reward id>
WITHDRAW = "bx"  # bx:<reward id>  (asks first)
WITHDRAW_YES = "bxy"  # bxy:<reward id>
FLOW = "reward"
# 2026-10-01, 2026/10/1, 2026.10.1, or with the Chinese year, month and day marks
DATE = re.compile(r"^(\d{4})\s*[-/.\u5e74]\s*(\d{1,2})\s*[-/.\u6708]\s*(\d{1,2})\s*\u65e5?$")


async def show_managed(update: Update, context: ContextTypes.DEFAULT_TYPE, page: int) -> None:
    t, user = tr(context), me(context)
    result = await services(context).rewards.managed(user, page)
    assert user.coordinator_unit is not None  # managed() refuses anyone else
    unit = user.coordinator_unit.name(t.language)
    if result.items:
        text = t("rewards.manage_title", unit=unit, page=result.page + 1, pages=result.pages)
    else:
        text = t("rewards.manage_empty", unit=unit)
    rows = [[button(r.name, CARD, r.id)] for r in result.items]
    rows += [nav_row(LIST, result), [button(t.plain("rewards.button_add"), ADD)]]
    await show_list(update, context, text, rows)


on_manage, on_list = paged(show_managed, LIST)


def _card_markup(t: Translator, reward: RewardDTO) -> InlineKeyboardMarkup:
    say = t.plain
    return InlineKeyboardMarkup(
        [
            [
                button(say("rewards.button_edit"), EDIT, reward.id),
                button(say("rewards.button_withdraw"), WITHDRAW, reward.id),
            ],
            [button(say("rewards.button_list"), LIST, 0)],
        ]
    )


@domain_errors
async def on_card(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    (reward_id,) = pressed_ids(update, CARD)
    reward = await services(context).rewards.manageable(me(context), reward_id)
    await answer(update)
    t = tr(context)
    await send_card(
        update, context, words.reward_card(t, reward), _card_markup(t, reward), reward.photo_file_id
    )


@domain_errors
async def on_withdraw(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    t = tr(context)
    (reward_id,) = pressed_ids(update, WITHDRAW)
    reward = await services(context).rewards.manageable(me(context), reward_id)
    await answer(update)
    markup = InlineKeyboardMarkup(
        [
            [
                button(t.plain("rewards.button_withdraw_yes"), WITHDRAW_YES, reward.id),
                button(t.plain("rewards.button_keep"), CARD, reward.id),
            ]
        ]
    )
    await settle(update, context, t("rewards.ask_withdraw", name=reward.name), markup)


@domain_errors
async def on_withdraw_yes(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    (reward_id,) = pressed_ids(update, WITHDRAW_YES)
    reward = await services(context).rewards.withdraw(me(context), reward_id)
    await answer(update)
    await settle(update, context, tr(context)("rewards.withdrawn", name=reward.name))


@domain_errors
async def on_add(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await services(context).rewards.managed(me(context), 0)  # coordinators only
    await answer(update)
    await start_flow(update, context, FLOW, RewardDraft())


@domain_errors
async def on_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    (reward_id,) = pressed_ids(update, EDIT)
    reward = await services(context).rewards.manageable(me(context), reward_id)
    await answer(update)
    await start_flow(update, context, FLOW, RewardDraft.of(reward), step="summary")


# ---- the flow ------------------------------------------------------------------------


def typed_day(text: str) -> date:
    """A day as typed: 2026-03-01, 2026/3/1, 2026.3.1, 2026年3月1日 (full-width too)."""
    match = DATE.match(unicodedata.normalize("NFKC", text).strip())
    try:
        if match is None:
            raise ValueError(text)
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise InvalidValue("reward_dates", "not_a_date", example=EXAMPLE) from None


EXAMPLE = "2026-10-01"


def _draft(turn: Turn) -> RewardDraft:
    return turn.draft_as(RewardDraft)


class RewardNameStep(Step):
    name = "reward_name"

    async def ask(self, turn: Turn) -> None:
        await turn.show(turn.tr("rewards.ask_name", max=NAME_MAX), turn.keyboard([]))

    async def on_text(self, turn: Turn, text: str) -> None:
        _draft(turn).name = text  # checked by the draft (check_name)
        await turn.advance()


class SkippableStep(Step):
    """A question with a Skip button: skipping clears the answer."""

    question = ""
    field = ""

    def extra(self, turn: Turn) -> dict[str, object]:
        return {}

    async def ask(self, turn: Turn) -> None:
        skip = [[turn.button(turn.tr.plain("button.skip"), "skip")]]
        await turn.show(turn.tr(self.question, **self.extra(turn)), turn.keyboard(skip))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action != "skip":
            await turn.ask_again()
            return
        setattr(_draft(turn), self.field, None)
        await turn.advance()


class DescriptionStep(SkippableStep):
    name = "reward_description"
    question = "rewards.ask_description"
    field = "description"

    async def on_text(self, turn: Turn, text: str) -> None:
        _draft(turn).description = text  # checked by the draft
        await turn.advance()


class CostStep(Step):
    name = "reward_cost"

    async def ask(self, turn: Turn) -> None:
        await turn.show(turn.tr("rewards.ask_cost"), turn.keyboard([]))

    async def on_text(self, turn: Turn, text: str) -> None:
        _draft(turn).cost = typed_cost(text)
        await turn.advance()


class StockStep(Step):
    name = "reward_stock"

    async def ask(self, turn: Turn) -> None:
        await turn.show(turn.tr("rewards.ask_stock"), turn.keyboard([]))

    async def on_text(self, turn: Turn, text: str) -> None:
        stock = typed_number(text)
        if stock is None:  # not a whole number, or below 0
            raise InvalidValue("stock", "range", max=STOCK_MAX)
        _draft(turn).stock = stock  # checked by the draft
        await turn.advance()


class DayStep(SkippableStep):
    """A day's question, with an example of how to type one."""

    def extra(self, turn: Turn) -> dict[str, object]:
        return {"example": EXAMPLE}


class FirstDayStep(DayStep):
    name = "reward_first_day"
    question = "rewards.ask_first_day"
    field = "first_day"

    async def on_text(self, turn: Turn, text: str) -> None:
        draft = _draft(turn)
        day = typed_day(text)
        if draft.last_day is not None and draft.last_day < day:
            draft.last_day = None  # asked next
        draft.first_day = day
        await turn.advance()


class LastDayStep(DayStep):
    name = "reward_last_day"
    question = "rewards.ask_last_day"
    field = "last_day"

    async def on_text(self, turn: Turn, text: str) -> None:
        _draft(turn).last_day = typed_day(text)  # not before the first (the draft checks)
        await turn.advance()


class PhotoStep(SkippableStep):
    name = "reward_photo"
    question = "rewards.ask_photo"
    field = "photo"

    async def on_text(self, turn: Turn, text: str) -> None:
        await turn.retry("rewards.photo_expected")

    async def on_photo(self, turn: Turn, file_id: str, caption: str | None) -> None:
        _draft(turn).photo = file_id
        await turn.advance()


class SummaryStep(Step):
    name = "summary"
    EDITS = (
        ("rewards.edit_name", "reward_name", None),
        ("rewards.edit_description", "reward_description", None),
        ("rewards.edit_cost", "reward_cost", None),
        ("rewards.edit_stock", "reward_stock", None),
        ("rewards.edit_days", "reward_first_day", "reward_last_day"),
        ("rewards.edit_photo", "reward_photo", None),
    )

    async def ask(self, turn: Turn) -> None:
        t, draft = turn.tr, _draft(turn)
        form = draft.form()
        preview = RewardDTO(0, 0, form.name, form.description, form.cost, form.stock,
                            form.first_day, form.last_day, form.photo_file_id, True)  # fmt: skip
        photo = t.plain("rewards.photo_yes" if draft.photo else "rewards.photo_no")
        text = t("rewards.summary", card=words.reward_card(t, preview), photo=photo)
        edits = [turn.button(t.plain(key), "edit", step) for key, step, _ in self.EDITS]
        rows = [edits[i : i + 3] for i in range(0, len(edits), 3)]
        rows.append([turn.button(t.plain("rewards.button_save"), "save")])
        await turn.show(Markup(text), turn.keyboard(rows, back=False))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action == "edit":
            for _, step, until in self.EDITS:
                if step == arg:
                    await turn.edit_field(step, until)
                    return
        if action == "save":
            await save(turn)
            return
        await turn.ask_again()


async def save(turn: Turn) -> None:
    draft, t = _draft(turn), turn.tr
    rewards = turn.services.rewards
    if draft.reward is None:
        reward = await rewards.add(turn.me, draft.form(), draft_of=turn.me.id)
        unit = turn.me.coordinator_unit
        text = t("rewards.added", name=reward.name, unit=unit.name(t.language) if unit else "")
    else:
        reward = await rewards.edit(turn.me, draft.reward, draft.form(), draft_of=turn.me.id)
        text = t("rewards.saved", name=reward.name)
    await turn.show(text, None)
    await send_card(
        turn.update, turn.context, words.reward_card(t, reward), _card_markup(t, reward),
        reward.photo_file_id,
    )  # fmt: skip


async def _done(turn: Turn) -> None:
    await turn.goto("summary", remember=False)


STEPS: list[Step] = [
    RewardNameStep(),
    DescriptionStep(),
    CostStep(),
    StockStep(),
    FirstDayStep(),
    LastDayStep(),
    PhotoStep(),
    SummaryStep(),
]
FLOWS = (Flow(FLOW, RewardDraft, STEPS, _done, cancel_note="rewards.flow_cancelled"),)

HANDLERS = [
    CommandHandler("managerewards", on_manage),
    CallbackQueryHandler(on_list, pattern=callbacks.pattern(LIST)),
    CallbackQueryHandler(on_card, pattern=callbacks.pattern(CARD)),
    CallbackQueryHandler(on_add, pattern=callbacks.pattern(ADD)),
    CallbackQueryHandler(on_edit, pattern=callbacks.pattern(EDIT)),
    CallbackQueryHandler(on_withdraw, pattern=callbacks.pattern(WITHDRAW)),
    CallbackQueryHandler(on_withdraw_yes, pattern=callbacks.pattern(WITHDRAW_YES)),
]
