"""/transfer: a volunteer gives points to another volunteer (typed Telegram id or
@username) or to their community's fund (a button), when ``[points] transfers`` is on:
whom, how much, then a confirmation before anything moves. The service checks the
balance when it books (never below zero, also when spends run at once)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from bot.background import wake_sender
from bot.messages.common import points_text
from bot.services.kernel.drafts import needed
from bot.services.kernel.errors import DomainError, InsufficientPoints, NotFound
from bot.services.points.amounts import tenths
from bot.services.points.drafts import TransferDraft
from handlers.common import answer_error, domain_errors, me, services
from handlers.flows.dispatch import start_flow
from handlers.flows.engine import Flow, Step
from handlers.flows.turn import Turn
from handlers.service_day.common import finished

TRANSFER_FLOW = "transfer_points"


@domain_errors
async def transfer_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await services(context).points.fund_target(me(context))  # may they? (TransfersOff …)
    await start_flow(update, context, TRANSFER_FLOW, TransferDraft())


class WhomStep(Step):
    name = "whom"

    async def ask(self, turn: Turn) -> None:
        fund = await turn.services.points.fund_target(turn.me)
        name = fund.unit.name(turn.tr.language) if fund.unit else ""
        button = turn.button(turn.tr.plain("transfer.button_fund", unit=name), "fund")
        await turn.show(turn.tr("transfer.ask_whom"), turn.keyboard([[button]]))

    async def on_text(self, turn: Turn, text: str) -> None:
        try:
            target = await turn.services.points.transfer_target(turn.me, text)
        except NotFound:
            await turn.retry("transfer.not_found")
            return
        d = turn.draft_as(TransferDraft)
        d.to_user, d.to_fund, d.name = target.user_id, False, target.name
        await turn.advance()

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        fund = await turn.services.points.fund_target(turn.me)
        d = turn.draft_as(TransferDraft)
        d.to_user, d.to_fund = None, True
        d.name = turn.tr.plain(
            "transfer.fund_name", unit=fund.unit.name(turn.tr.language) if fund.unit else ""
        )
        await turn.advance()


class AmountStep(Step):
    name = "amount"

    async def ask(self, turn: Turn) -> None:
        balance = await turn.services.points.balance(turn.me)
        d = turn.draft_as(TransferDraft)
        text = turn.tr("transfer.ask_amount", name=d.name or "", balance=points_text(balance))
        await turn.show(text, turn.keyboard([]))

    async def on_text(self, turn: Turn, text: str) -> None:
        turn.draft_as(TransferDraft).amount = tenths(
            text, "transfer_amount"
        )  # checked by the draft
        await turn.advance()


class ConfirmStep(Step):
    name = "confirm"

    async def ask(self, turn: Turn) -> None:
        d = turn.draft_as(TransferDraft)
        text = turn.tr(
            "transfer.confirm",
            name=d.name or "",
            points=points_text(needed(d.amount, "transfer_amount")),
        )
        button = turn.button(turn.tr.plain("transfer.button_confirm"), "yes")
        await turn.show(text, turn.keyboard([[button]]))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        d = turn.draft_as(TransferDraft)
        try:
            done = await turn.services.points.transfer(
                turn.me,
                needed(d.amount, "transfer_amount"),
                to_user=d.to_user,
                to_fund=d.to_fund,
                draft_of=turn.me.id,
            )
        except InsufficientPoints as error:
            await turn.say(turn.tr("transfer.insufficient", balance=points_text(error.balance)))
            await turn.goto("amount")  # a smaller amount: whom is kept
            return
        except DomainError as error:
            await turn.finish()
            await answer_error(turn.update, turn.context, error)
            return
        await turn.show(
            turn.tr(
                "transfer.done",
                name=d.name or "",
                points=points_text(done.amount),
                balance=points_text(done.balance),
            )
        )
        wake_sender(turn.context.application)  # the receiver is told


FLOWS = (Flow(TRANSFER_FLOW, TransferDraft, [WhomStep(), AmountStep(), ConfirmStep()], finished),)

HANDLERS = [CommandHandler("transfer", transfer_command)]
