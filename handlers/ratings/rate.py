"""评单: the requester's presses of the stars in the prompt (sent through the outbox,
bot/messages/ratings.py), then the optional comment (free text, the Skip button or
/skip).

Every press is re-checked by RatingService against the database and the presser:
only the requester of that order, once per volunteer, never after the prompt expired;
forged data is refused as stale. After each press the pressed message shows the stars
given so far and keeps the rows still to rate."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.background import wake_sender
from bot.i18n import Markup, escape
from bot.messages.ratings import LABEL, prompt_buttons, prompt_text, rated_text, stars
from bot.services.kernel.drafts import needed
from bot.services.kernel.errors import DomainError, InvalidValue
from bot.services.ratings.common import RatingExpired
from bot.services.ratings.drafts import CommentDraft
from handlers.common import (
    Reply,
    answer,
    answer_error,
    domain_errors,
    error_text,
    inline_markup,
    me,
    pressed_ids,
    services,
    tr,
)
from handlers.flows.dispatch import current_turn, retire_buttons, start_flow
from handlers.flows.engine import Flow, Step
from handlers.flows.turn import Turn
from handlers.home import unknown_command

COMMENT_FLOW = "rating_comment"


@domain_errors
async def on_rate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    prompt_id, claim_id, given = pressed_ids(update, callbacks.RATE, 3)
    t = tr(context)
    if given == LABEL:  # the row's name: it only explains
        await answer(update, t.plain("rating.label_hint"))
        return
    ratings = services(context).ratings
    try:
        view = await ratings.rate(me(context), prompt_id, claim_id, given)
    except RatingExpired as error:
        await answer_error(update, context, error)
        await retire_buttons(update)  # the expiry's edit may not have reached it yet
        return
    await answer(update, t.plain("rating.stars_saved", stars=stars(given)))
    reply = Reply(update, context)
    if not view.rated:
        text = prompt_text(t, view, ratings.timezone)
        await reply.edit_or_send(text, inline_markup(prompt_buttons(t, view)))
        return
    await reply.edit_or_send(rated_text(t, view))
    draft = CommentDraft(prompt=view.id, number=view.order.number)
    await start_flow(update, context, COMMENT_FLOW, draft)


async def _hand_in(turn: Turn, text: str | None) -> None:
    """The comment (None: skipped) hands the rating in."""
    d = turn.draft_as(CommentDraft)
    try:
        view = await turn.services.ratings.comment(
            turn.me, needed(d.prompt, "rating"), text, draft_of=turn.me.id
        )
    except InvalidValue as error:
        await turn.say(error_text(turn.tr, error))
        if text and error.reason == "too_long":  # their words back, to shorten and resend
            await turn.say(Markup(f"<code>{escape(text)}</code>"))
        await turn.ask_again()
        return
    except DomainError as error:
        await turn.finish()
        await answer_error(turn.update, turn.context, error)
        return
    await turn.say(turn.tr("rating.comment_saved" if view.comment else "rating.comment_skipped"))
    wake_sender(turn.context.application)  # the prompt closed, a low rating alerted


class CommentStep(Step):
    name = "comment"

    async def ask(self, turn: Turn) -> None:
        d = turn.draft_as(CommentDraft)
        skip = turn.button(turn.tr.plain("button.skip"), "skip")
        text = turn.tr("rating.ask_comment", number=d.number, max=turn.services.ratings.comment_max)
        await turn.say(text, InlineKeyboardMarkup([[skip]]))

    async def on_text(self, turn: Turn, text: str) -> None:
        await _hand_in(turn, text)

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action == "skip":
            await _hand_in(turn, None)
        else:
            await turn.ask_again()


@domain_errors
async def on_skip(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/skip: no comment (only while the comment is asked)."""
    turn = await current_turn(update, context)
    if turn is None or turn.flow.name != COMMENT_FLOW:
        await unknown_command(update, context)
        return
    await _hand_in(turn, None)


async def _finished(turn: Turn) -> None:
    await turn.finish()


FLOWS = (Flow(COMMENT_FLOW, CommentDraft, [CommentStep()], _finished, "rating.comment_cancelled"),)

HANDLERS = [
    CallbackQueryHandler(on_rate, pattern=callbacks.pattern(callbacks.RATE)),
    CommandHandler("skip", on_skip),
]
