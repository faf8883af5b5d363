"""/setchannel: a coordinator, in a group, makes it where their unit's broadcasts are
also posted (``/setchannel off`` there undoes it); in the bot's own chat, how to. The
press of "also post it there" when composing is the coordinator's choice each time."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CommandHandler, ContextTypes

from bot.services.kernel.dto import Role
from bot.services.kernel.errors import NotAllowed
from handlers.common import Reply, domain_errors, me, services, tr


@domain_errors
async def setchannel_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user, t = me(context), tr(context)
    chat = update.effective_chat
    assert chat is not None
    if Role.COORDINATOR not in user.roles:
        raise NotAllowed("coordinators only")
    if chat.type == ChatType.PRIVATE:
        await Reply(update, context).send(t("channel.how"))
        return
    off = (context.args or [""])[0].lower() == "off"
    unit = await services(context).broadcasts.set_channel(user, None if off else chat.id)
    key = "channel.unset" if off else "channel.set"
    await Reply(update, context).send(t(key, unit=unit.name(user.language)))


HANDLERS = [CommandHandler("setchannel", setchannel_command)]
