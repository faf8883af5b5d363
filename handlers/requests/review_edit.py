"""The reviewer's edit: any field the resident gave, asked with the request's own
steps and checks (handlers/requests/steps.py), then saved; the requester is told what
changed."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.background import wake_sender
from bot.services.kernel.drafts import needed
from bot.services.kernel.dto import OrderDTO
from bot.services.kernel.errors import DomainError, InvalidValue
from bot.services.requests.drafts import OrderAnswers, ReviewEditDraft
from handlers.common import error_text
from handlers.flows.engine import Flow, Step
from handlers.flows.questions import PhoneStep
from handlers.flows.turn import Turn
from handlers.requests import request
from handlers.requests.steps import (
    BehalfStep,
    BeneficiaryAddressStep,
    BeneficiaryNameStep,
    BeneficiaryPhoneStep,
    CategoryStep,
    DayStep,
    DescriptionStep,
    HelpersStep,
    PlaceStep,
    TimeStep,
)

EDIT = "review_edit"


def edit_data(order: OrderDTO, timezone: str) -> dict[str, object]:
    """The edit flow's draft (as stored): the request as the request flow holds it, and
    a copy of it to tell what the reviewer changed."""
    values = OrderAnswers(
        category=order.category,
        description=order.description,
        day=order.starts_at.astimezone(ZoneInfo(timezone)).date(),
        starts_at=order.starts_at,
        ends_at=order.ends_at,
        typed_window=False,
        community_id=order.community_id,
        address=order.address,
        latitude=order.latitude,
        longitude=order.longitude,
        phone=order.contact_phone,
        helpers=order.helpers_requested,
        behalf=order.beneficiary_name is not None,
        b_name=order.beneficiary_name,
        b_phone=order.beneficiary_phone,
        b_address=order.beneficiary_address,
    )
    draft = ReviewEditDraft(
        order=order.id, number=order.number, original=values, **values.model_dump()
    )
    return draft.dump()


class EditChooseStep(Step):
    """The request as it stands, a button per field, and "save"."""

    name = "choose"

    async def ask(self, turn: Turn) -> None:
        b, t = turn.button, turn.tr
        edits = [b(t.plain(request.EDIT_LABELS[key]), "edit", key) for key in request.EDITS]
        rows = [edits[i : i + 2] for i in range(0, len(edits), 2)]
        rows.append([b(t.plain("review.button_save_edit"), "save")])
        title = t("review.edit_title", number=turn.draft_as(ReviewEditDraft).number)
        await turn.show(
            title + "\n\n" + await request.summary(turn), turn.keyboard(rows, back=False)
        )

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action == "edit" and arg in request.EDITS:
            first, last = request.EDITS[arg]
            await turn.edit_field(first, until=last)
        elif action == "save":
            await save_edit(turn)
        else:
            await turn.ask_again()


class EditPhoneStep(PhoneStep):
    """The resident's contact phone, typed (or a contact card shared) by the reviewer:
    the same check as the resident's own step, not the reviewer's own number."""

    async def ask(self, turn: Turn) -> None:
        await turn.show(turn.tr("review.ask_phone"), turn.keyboard([]))

    async def on_contact(self, turn: Turn, phone: str, contact_user_id: int | None) -> None:
        await self._accept(turn, phone)


async def save_edit(turn: Turn) -> None:
    draft = turn.draft_as(ReviewEditDraft)
    try:
        order, changed = await turn.services.orders.edit_request(
            turn.me, needed(draft.order, "order"), draft.changes(), draft_of=turn.me.id
        )
    except InvalidValue as error:
        if error.field not in ("starts_at", "ends_at"):
            raise  # said, and the summary shown again (handlers/flows/dispatch.py)
        await turn.say(error_text(turn.tr, error))  # the time passed: ask for it again
        await turn.edit_field("day", until="time")
        return
    except DomainError as error:
        await turn.refused(error)
        return
    if not changed:
        await turn.show(turn.tr("review.edit_nothing", number=order.number))
        return
    await turn.show(turn.tr("review.edited", number=order.number))
    wake_sender(turn.context.application)  # the requester is told what changed


async def _back_to_choose(turn: Turn) -> None:
    await turn.goto("choose", remember=False)


FLOWS = (
    Flow(
        EDIT,
        ReviewEditDraft,
        [
            EditChooseStep(),
            CategoryStep(),
            DescriptionStep(),
            DayStep(),
            TimeStep(),
            PlaceStep(),
            EditPhoneStep(),
            HelpersStep(),
            BehalfStep(),
            BeneficiaryNameStep(),
            BeneficiaryPhoneStep(),
            BeneficiaryAddressStep(),
        ],
        _back_to_choose,
        cancel_note="review.edit_cancelled",
    ),
)
