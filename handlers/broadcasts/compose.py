"""/broadcast: a coordinator composes a call to volunteers and sends it.

The words (Telegram's own formatting kept, or HTML typed, checked as Telegram parses it
— 4,096 characters, 1,024 under a photo), an optional photo (sent with the words as its
caption, or after them), the category (what volunteers may mute), the audience (the
coordinator's unit or one below it, teams, at least N verified hours, active in the
last N days); then the preview — exactly the message volunteers will get — and the live
count of who it reaches now, before "send". Bad input is refused with the reason and the
question asked again, the draft kept; the service checks the rights again on sending.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler, ContextTypes

from bot.background import wake_sender
from bot.callback_data import decode_id
from bot.i18n import Markup
from bot.messages.broadcasts import broadcast_sent, category_name
from bot.messages.common import local_time
from bot.services.broadcasts.broadcasting import CATEGORIES
from bot.services.broadcasts.drafts import BroadcastDraft
from bot.services.broadcasts.notices import BroadcastSent
from bot.services.kernel.dto import Recipient, Role
from bot.services.kernel.errors import InvalidValue, NotAllowed
from bot.services.kernel.validation import typed_number
from handlers.broadcasts.activity import ACTIVITY_STEPS, activity_summary
from handlers.broadcasts.audience import AudienceUnitStep, describe_audience, still_coordinator
from handlers.broadcasts.progress import send_progress
from handlers.common import Reply, domain_errors, me, tr
from handlers.flows.dispatch import start_flow, written_html
from handlers.flows.engine import Flow, Step
from handlers.flows.questions import TeamsStep, grid
from handlers.flows.turn import Turn

FLOW = "broadcast"
HOURS = (10, 50, 100, 300)
ACTIVE_DAYS = (7, 30, 90)


def draft(turn: Turn) -> BroadcastDraft:
    return turn.draft_as(BroadcastDraft)


class TextStep(Step):
    """The words; a photo with a caption answers this and the photo question at once."""

    name = "text"

    async def ask(self, turn: Turn) -> None:
        key = "broadcast.ask_text_for_photo" if draft(turn).photo else "broadcast.ask_text"
        await turn.say(turn.tr(key), turn.keyboard([]))

    async def on_text(self, turn: Turn, text: str) -> None:
        message = turn.update.effective_message
        written = (written_html(message) if message is not None else None) or text
        d = draft(turn)
        d.text = turn.services.broadcasts.check_text(written, d.photo is not None)
        await turn.advance()

    async def on_photo(self, turn: Turn, file_id: str, caption: str | None) -> None:
        d = draft(turn)
        if caption is None:  # the photo now, the words next
            d.photo = file_id
            await turn.save()
            await turn.say(turn.tr("broadcast.photo_kept"))
            await self.ask(turn)
            return
        d.text = turn.services.broadcasts.check_text(caption, with_photo=True)
        d.photo = file_id
        await turn.advance()

    async def on_document(self, turn: Turn, mime_type: str | None) -> None:
        raise InvalidValue("broadcast_photo", _file_reason(mime_type))


def _file_reason(mime_type: str | None) -> str:
    """A file sent instead of a photo: an image as a file, or no image at all."""
    return "as_file" if (mime_type or "").startswith("image/") else "not_image"


class PhotoStep(Step):
    """Optional, when the words came alone: a photo to send them under, or skip."""

    name = "photo"

    def applies(self, turn: Turn) -> bool:
        return draft(turn).photo is None

    async def ask(self, turn: Turn) -> None:
        skip = turn.button(turn.tr.plain("broadcast.button_no_photo"), "skip")
        await turn.show(turn.tr("broadcast.ask_photo"), turn.keyboard([[skip]]))

    async def on_photo(self, turn: Turn, file_id: str, caption: str | None) -> None:
        d = draft(turn)
        try:  # the words become its caption: 1,024 characters at most
            turn.services.broadcasts.check_text(d.text or "", with_photo=True)
        except InvalidValue as error:
            if error.reason != "too_long":
                raise
            length = error.values["length"]
            raise InvalidValue("broadcast_photo", "caption_too_long", length=length) from None
        d.photo = file_id
        await turn.advance()

    async def on_document(self, turn: Turn, mime_type: str | None) -> None:
        raise InvalidValue("broadcast_photo", _file_reason(mime_type))

    async def on_text(self, turn: Turn, text: str) -> None:
        await turn.retry("broadcast.photo_or_skip")

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action == "skip":
            await turn.advance()
        else:
            await turn.ask_again()


class KindStep(Step):
    name = "kind"

    async def ask(self, turn: Turn) -> None:
        buttons = [
            turn.button(category_name(turn.tr, c.value), "pick", i)
            for i, c in enumerate(CATEGORIES)
        ]
        await turn.show(turn.tr("broadcast.ask_category"), turn.keyboard(grid(buttons, 1)))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        index = decode_id(arg)
        if action != "pick" or index is None or index >= len(CATEGORIES):
            await turn.ask_again()
            return
        draft(turn).kind = CATEGORIES[index]
        await turn.advance()


class NumberChoiceStep(Step):
    """A number from buttons or typed, or "any" (None)."""

    question = ""
    choices: tuple[int, ...] = ()
    label = ""  # the message naming one choice ({n})

    def set(self, turn: Turn, value: int | None) -> None:
        raise NotImplementedError

    async def ask(self, turn: Turn) -> None:
        buttons = [turn.button(turn.tr.plain(self.label, n=n), "n", n) for n in self.choices]
        rows = [*grid(buttons), [turn.button(turn.tr.plain("broadcast.button_any"), "any")]]
        await turn.show(turn.tr(self.question), turn.keyboard(rows))

    async def on_text(self, turn: Turn, text: str) -> None:
        value = typed_number(text)
        if value is None:
            raise InvalidValue(self.name, "range")
        self.set(turn, value or None)
        await turn.advance()

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action == "any":
            self.set(turn, None)
        elif action == "n" and (n := decode_id(arg)) is not None:
            self.set(turn, n)
        else:
            await turn.ask_again()
            return
        await turn.advance()


class HoursStep(NumberChoiceStep):
    name = "min_hours"
    question = "broadcast.ask_min_hours"
    choices = HOURS
    label = "broadcast.button_hours"

    def set(self, turn: Turn, value: int | None) -> None:
        draft(turn).min_hours = value  # checked by the draft


class ActiveStep(NumberChoiceStep):
    name = "active_days"
    question = "broadcast.ask_active_days"
    choices = ACTIVE_DAYS
    label = "broadcast.button_days"

    def set(self, turn: Turn, value: int | None) -> None:
        if value is not None and not 1 <= value <= 3650:
            raise InvalidValue("active_days", "range")
        draft(turn).active_days = value


class WhenStep(Step):
    """Now, or a time typed (in the configured timezone)."""

    name = "send_at"

    async def ask(self, turn: Turn) -> None:
        now = turn.button(turn.tr.plain("broadcast.button_now"), "now")
        await turn.show(turn.tr("broadcast.ask_send_at"), turn.keyboard([[now]]))

    async def on_text(self, turn: Turn, text: str) -> None:
        draft(turn).send_at = turn.services.broadcasts.send_time(text)
        await turn.advance()

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action != "now":
            await turn.ask_again()
            return
        draft(turn).send_at = None
        await turn.advance()


class ChannelStep(Step):
    """Asked when the unit has a group or channel: post it there too?"""

    name = "to_channel"

    def applies(self, turn: Turn) -> bool:
        return draft(turn).channel_offered

    async def ask(self, turn: Turn) -> None:
        rows = [
            [turn.button(turn.tr.plain("broadcast.button_channel_yes"), "yes")],
            [turn.button(turn.tr.plain("broadcast.button_channel_no"), "no")],
        ]
        await turn.show(turn.tr("broadcast.ask_channel"), turn.keyboard(rows))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action not in ("yes", "no"):
            await turn.ask_again()
            return
        draft(turn).to_channel = action == "yes"
        await turn.advance()


class ConfirmStep(Step):
    """The preview (the volunteers' message itself), who it reaches now, and send."""

    name = "confirm"

    async def ask(self, turn: Turn) -> None:
        d = draft(turn)
        if await still_coordinator(turn) is None:
            return
        if d.text is None or d.kind is None:  # a draft missing its words or kind
            await turn.goto("text" if d.text is None else "kind", remember=False)
            return
        await _preview(turn, d)
        count = await turn.services.broadcasts.count(turn.me, d)
        audience = await describe_audience(turn, d)
        rows: list[list[InlineKeyboardButton]] = []
        if count:
            rows.append([turn.button(turn.tr.plain("broadcast.button_send", count=count), "send")])
            text = turn.tr.ngettext("broadcast.confirm", count, count=count, audience=audience)
            if d.send_at is not None:
                when = local_time(d.send_at, turn.services.broadcasts.timezone)
                text = turn.tr("broadcast.confirm_at", text=text, when=when)
            if d.to_channel:
                text = turn.tr("broadcast.confirm_channel", text=text)
            if d.places is not None:
                text = Markup(f"{text}\n{await activity_summary(turn)}")
        else:
            text = turn.tr("broadcast.confirm_nobody", audience=audience)
        rows.append(
            [
                turn.button(turn.tr.plain("broadcast.button_edit_text"), "edit_text"),
                turn.button(turn.tr.plain("broadcast.button_edit_audience"), "edit_audience"),
            ]
        )
        if d.places is not None:
            label = turn.tr.plain("broadcast.button_edit_activity")
            rows.append([turn.button(label, "edit_activity")])
        await turn.say(text, turn.keyboard(rows))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action == "send":
            await turn.advance()  # the flow's done: sent
        elif action == "edit_text":
            await turn.edit_field("text", "photo")
        elif action == "edit_audience":  # and the activity's places and community
            await turn.edit_field("unit", "activity_community")
        elif action == "edit_activity" and draft(turn).places is not None:
            await turn.edit_field("activity_places", "phone")
        elif action != "preview":  # the preview's own button only shows what it will be
            await turn.ask_again()


async def _preview(turn: Turn, d: BroadcastDraft) -> None:
    """The message as a volunteer will get it (their language's button under it)."""
    assert d.text is not None and d.kind is not None
    reader = Recipient(turn.me.telegram_id, turn.me.language)
    out = broadcast_sent(
        BroadcastSent(
            reader,
            turn.me.id,
            0,
            d.text,
            d.photo,
            d.kind.value,
            order_id=0 if d.places else None,
            places=d.places or 0,
        ),
        turn.tr,
        "",
    )  # its buttons shown, inert (the order is created with the broadcast)
    markup = InlineKeyboardMarkup(
        [[turn.button(b.text, "preview") for b in row] for row in out.buttons]
    )
    chat = turn.me.telegram_id
    await turn.say(turn.tr("broadcast.preview_above"))
    if out.file:
        await turn.context.bot.send_photo(
            chat, out.file, caption=out.text, parse_mode=ParseMode.HTML, reply_markup=markup
        )
    else:
        await turn.context.bot.send_message(chat, out.text, reply_markup=markup)


async def done(turn: Turn) -> None:
    """Sent: the broadcast, its campaign and its audit entry committed, the draft
    cleared; the fan-out writes its recipients from here."""
    try:
        sent = await turn.services.broadcasts.send(turn.me, draft(turn))
    except InvalidValue as error:
        await turn.invalid(error)
        return
    if sent.send_at is not None:
        when = local_time(sent.send_at, turn.services.broadcasts.timezone)
        await turn.show(turn.tr("broadcast.scheduled", id=sent.id, when=when))
    else:
        count = sent.recipients
        await turn.show(turn.tr.ngettext("broadcast.sent", count, count=count, id=sent.id))
    wake_sender(turn.context.application)
    await send_progress(turn.update, turn.context, sent.id)


FLOWS = (
    Flow(
        FLOW,
        BroadcastDraft,
        [
            TextStep(),
            PhotoStep(),
            KindStep(),
            AudienceUnitStep(),
            TeamsStep("broadcast.ask_teams"),
            HoursStep(),
            ActiveStep(),
            *ACTIVITY_STEPS,
            WhenStep(),
            ChannelStep(),
            ConfirmStep(),
        ],
        done=done,
        cancel_note="broadcast.cancelled",
    ),
)


@domain_errors
async def broadcast_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if Role.COORDINATOR not in me(context).roles:
        raise NotAllowed("coordinators only")
    await Reply(update, context).send(tr(context)("broadcast.intro"))
    await start_flow(update, context, FLOW, BroadcastDraft())


HANDLERS = [CommandHandler("broadcast", broadcast_command)]
