"""/audit — a coordinator reads the audit log of their unit and below: newest first,
10 a page (◀ ▶), by kind (the buttons) or by person (``/audit <Telegram id>``). Every
press reads it again with the presser's rights now."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.messages.audit import kind_label, page_text
from bot.services.kernel.errors import InvalidValue
from handlers.common import Reply, answer, domain_errors, me, pressed_ids, services, tr

AUDIT = callbacks.AUDIT  # au:<kind: 0 all, else its place + 1>:<person's Telegram id or 0>:<page>
CURRENT = "✅ "


async def show(
    update: Update, context: ContextTypes.DEFAULT_TYPE, kind: int, person: int, page: int
) -> None:
    audit, user, t = services(context).audit, me(context), tr(context)
    kinds = await audit.kinds(user)
    chosen = kinds[kind - 1] if 0 < kind <= len(kinds) else None
    kind = kinds.index(chosen) + 1 if chosen else 0
    result = await audit.page(user, page, kind=chosen, person_telegram_id=person or None)
    text = page_text(t, result, audit.timezone, chosen)

    def button(label: str, k: int, p: int, current: bool = False) -> InlineKeyboardButton:
        data = callbacks.encode(AUDIT, k, person, p)
        return InlineKeyboardButton((CURRENT if current else "") + label, callback_data=data)

    choices = [button(t.plain("audit.all"), 0, 0, kind == 0)]
    choices += [button(kind_label(t, k), i + 1, 0, kind == i + 1) for i, k in enumerate(kinds)]
    rows = [choices[i : i + 3] for i in range(0, len(choices), 3)]
    nav = []
    if result.page > 0:
        nav.append(button("◀", kind, result.page - 1))
    if result.page + 1 < result.pages:
        nav.append(button("▶", kind, result.page + 1))
    if nav:
        rows.insert(0, nav)
    await Reply(update, context).edit_or_send(text, InlineKeyboardMarkup(rows))


@domain_errors
async def audit_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    args = context.args or []
    person = 0
    if args:
        text = args[0].strip()
        if not (text.isascii() and text.isdigit()):
            raise InvalidValue("audit_person", "format")
        person = int(text)
    await show(update, context, 0, person, 0)


@domain_errors
async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    kind, person, page = pressed_ids(update, AUDIT, 3)
    await show(update, context, kind, person, page)
    await answer(update)


HANDLERS = [
    CommandHandler("audit", audit_command),
    CallbackQueryHandler(on_press, pattern=callbacks.pattern(AUDIT)),
]
