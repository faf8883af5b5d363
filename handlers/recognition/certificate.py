"""/certificate — a volunteer's service-record certificate (志愿服务记录证明), a PDF sent
as a document in the chat; /verify SERIAL — anyone checks one: whose (masked), issued
when, by which unit, the hours on it."""

from __future__ import annotations

import logging

from telegram import InputFile, Update
from telegram.ext import CommandHandler, ContextTypes

from bot.config import Config
from bot.messages.certificates import FontMissing, as_pdf, file_name, sent_text, verified_text
from handlers.common import Reply, domain_errors, me, services, tr

log = logging.getLogger(__name__)


@domain_errors
async def certificate_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    config: Config = context.bot_data["config"]
    user, t = me(context), tr(context)
    issued = await services(context).certificates.issue(user)
    try:
        data = as_pdf(t, issued, config.recognition.certificate_font, config.general.timezone)
    except FontMissing as missing:
        log.error("the certificate's font is missing: %s ([recognition] certificate_font)", missing)
        await Reply(update, context).send(t("certificate.font_missing", serial=issued.serial))
        return
    await context.bot.send_document(
        user.telegram_id,
        InputFile(data, filename=file_name(issued)),
        caption=sent_text(t, issued),
    )


@domain_errors
async def verify_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    config: Config = context.bot_data["config"]
    t = tr(context)
    serial = " ".join(context.args or [])
    if not serial.strip():
        await Reply(update, context).send(t("certificate.verify_how"))
        return
    found = await services(context).certificates.verify(serial)
    await Reply(update, context).send(verified_text(t, found, config.general.timezone))


HANDLERS = [
    CommandHandler("certificate", certificate_command),
    CommandHandler("verify", verify_command),
]
