"""/chart — a coordinator's picture of their unit's last 12 weeks: orders completed and
hours served each week, and the mix of categories; a PNG sent as a photo."""

from __future__ import annotations

import logging

from telegram import InputFile, Update
from telegram.ext import CommandHandler, ContextTypes

from bot.config import Config
from bot.messages.charts import FontMissing, chart_caption, weekly_png
from handlers.common import Reply, domain_errors, me, services, tr

log = logging.getLogger(__name__)


@domain_errors
async def chart_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    config: Config = context.bot_data["config"]
    user, t = me(context), tr(context)
    weekly = await services(context).charts.weekly(user)
    try:
        png = weekly_png(t, weekly, config.recognition.certificate_font)
    except FontMissing as missing:
        log.error("the chart's font is missing: %s ([recognition] certificate_font)", missing)
        await Reply(update, context).send(t("chart.font_missing"))
        return
    await context.bot.send_photo(
        user.telegram_id,
        InputFile(png, filename="weekly-chart.png"),
        caption=chart_caption(t, weekly),
    )


HANDLERS = [CommandHandler("chart", chart_command)]
