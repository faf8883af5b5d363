"""/report — a coordinator exports their unit's month: this month or the last, hours,
points, orders or ratings, CSV or Excel; "📥 Export" sends the file as a document in the
chat. One message, edited by its buttons; the export checks the presser's rights again
(a coordinator of their unit; removed meanwhile, they get the refusal)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.messages.exports import (
    FORMATS,
    as_file,
    filename,
    format_label,
    kind_label,
    report_text,
)
from bot.services.kernel.dto import Role
from bot.services.kernel.errors import NotAllowed
from bot.services.reports.exports import KINDS
from handlers.common import Reply, answer, domain_errors, me, pressed_ids, services, tr

REPORT = callbacks.REPORT  # rp:<months back>:<kind>:<format>:<1 export | 0 choose>
CURRENT = "✅ "
MONTHS_BACK = 2  # this month and the last


def _keyboard(
    context: ContextTypes.DEFAULT_TYPE, back: int, kind: int, fmt: int
) -> InlineKeyboardMarkup:
    t = tr(context)

    def button(label: str, data: tuple[int, int, int, int], current: bool) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            (CURRENT if current else "") + label, callback_data=callbacks.encode(REPORT, *data)
        )

    exports = services(context).exports
    return InlineKeyboardMarkup(
        [
            [
                button(f"{exports.this_month(b):%Y-%m}", (b, kind, fmt, 0), b == back)
                for b in range(MONTHS_BACK)
            ],
            [button(kind_label(t, k), (back, i, fmt, 0), i == kind) for i, k in enumerate(KINDS)],
            [
                button(format_label(t, f), (back, kind, i, 0), i == fmt)
                for i, f in enumerate(FORMATS)
            ],
            [button(t.plain("report.button_export"), (back, kind, fmt, 1), False)],
        ]
    )


async def _show(
    update: Update, context: ContextTypes.DEFAULT_TYPE, back: int, kind: int, fmt: int
) -> None:
    user = me(context)
    if Role.COORDINATOR not in user.roles or user.coordinator_unit is None:
        raise NotAllowed("coordinators only")
    month = services(context).exports.this_month(back)
    text = report_text(tr(context), user.coordinator_unit, month, KINDS[kind], FORMATS[fmt])
    await Reply(update, context).edit_or_send(text, _keyboard(context, back, kind, fmt))


async def _send(
    update: Update, context: ContextTypes.DEFAULT_TYPE, back: int, kind: int, fmt: int
) -> None:
    user, t = me(context), tr(context)
    exports = services(context).exports
    table = await exports.table(user, KINDS[kind], exports.this_month(back))
    data = as_file(t, table, FORMATS[fmt])
    name = filename(t, table, FORMATS[fmt])
    caption = t.ngettext("report.sent", len(table.rows), rows=len(table.rows))
    await context.bot.send_document(
        user.telegram_id, InputFile(data, filename=name), caption=caption
    )


@domain_errors
async def report_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _show(update, context, 1, 0, FORMATS.index("xlsx"))  # last month, hours, Excel


@domain_errors
async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    back, kind, fmt, go = pressed_ids(update, REPORT, 4)
    back, kind, fmt = (
        min(back, MONTHS_BACK - 1),
        min(kind, len(KINDS) - 1),
        min(fmt, len(FORMATS) - 1),
    )
    if go:
        await _send(update, context, back, kind, fmt)
    else:
        await _show(update, context, back, kind, fmt)
    await answer(update)


HANDLERS = [
    CommandHandler("report", report_command),
    CallbackQueryHandler(on_press, pattern=callbacks.pattern(REPORT)),
]
