"""/me: the user's profile, and editing it one field at a time (same questions as at
registration)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.background import wake_sender
from bot.messages.people import volunteer_card
from handlers.common import Reply, answer, domain_errors, me, refresh_me, services, tr
from handlers.flows.engine import Flow, Turn, register_flow, start_flow
from handlers.flows.questions import (
    CommunityStep,
    GridStep,
    NameStep,
    PhoneStep,
    StreetStep,
    TeamsStep,
)
from handlers.home import show_home

EDIT = "pe"  # pe:<field>
FIELDS = ("name", "phone", "community", "grid", "teams", "home")


async def show_profile(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user, t = me(context), tr(context)
    s = services(context)
    lines = [t("profile.title", name=user.first_name)]
    rows: list[list[InlineKeyboardButton]] = []

    def b(key: str, field: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(t.plain(key), callback_data=callbacks.encode(EDIT, field))

    volunteer = await s.volunteers.profile(user.id)
    if volunteer is not None:
        lines.append(volunteer_card(t, volunteer))
        rows += [
            [b("edit.name", "name"), b("edit.phone", "phone")],
            [b("edit.community", "community"), b("edit.grid", "grid")],
            [b("edit.teams", "teams")],
        ]
    elif user.community_id is not None:
        home = await s.org.unit(user.community_id)
        lines.append(t("profile.resident", community=home.name(t.language) if home else "?"))
        rows.append([b("edit.home", "home")])
    if user.coordinator_unit is not None:
        lines.append(t("profile.coordinator", unit=user.coordinator_unit.name(t.language)))
    lines.append(t("profile.language", language=t.plain("language.name")))
    await Reply(update, context).send(
        "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None
    )


@domain_errors
async def on_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    field = query.data.partition(":")[2]
    user = me(context)
    volunteer = await services(context).volunteers.profile(user.id)
    if field not in FIELDS or (field != "home" and volunteer is None):
        await answer(update, tr(context).plain("error.stale"), alert=True)
        return
    await answer(update)
    data = {}
    if volunteer is not None:
        data = {
            "community_id": volunteer.community.id,
            "street_id": volunteer.community.parent_id,
            "team_ids": [t.id for t in volunteer.teams],
            "community_has_grids": True,
        }
    await start_flow(update, context, f"edit_{field}", data)


async def _saved(turn: Turn, **changes: object) -> None:
    result = await turn.services.volunteers.update(turn.me.id, **changes)
    await turn.finish()
    await turn.say(turn.tr("profile.saved"))
    if result.notify:
        await turn.say(turn.tr("profile.reapproval"))
        wake_sender(turn.context.application)
    await refresh_me(turn.update, turn.context)
    await show_profile(turn.update, turn.context)


async def _home_saved(turn: Turn) -> None:
    await turn.services.users.set_home_community(turn.me.id, int(turn.data["community_id"]))
    await turn.finish()
    await turn.say(turn.tr("profile.saved"))
    await refresh_me(turn.update, turn.context)
    await show_home(turn.update, turn.context)


def _flows() -> None:
    register_flow(
        Flow("edit_name", [NameStep()], done=lambda t: _saved(t, real_name=t.data["name"]))
    )
    register_flow(
        Flow(
            "edit_phone",
            [PhoneStep()],
            done=lambda t: _saved(
                t, phone=t.data["phone"], phone_verified=bool(t.data.get("phone_verified"))
            ),
        )
    )
    register_flow(
        Flow(
            "edit_community",
            [StreetStep(), CommunityStep()],
            done=lambda t: _saved(t, community_id=int(t.data["community_id"])),
        )
    )
    register_flow(
        Flow("edit_grid", [GridStep()], done=lambda t: _saved(t, grid_id=t.data.get("grid_id")))
    )
    register_flow(
        Flow(
            "edit_teams",
            [TeamsStep()],
            done=lambda t: _saved(t, team_ids=list(t.data.get("team_ids", []))),
        )
    )
    register_flow(Flow("edit_home", [StreetStep(), CommunityStep()], done=_home_saved))


_flows()

HANDLERS = [
    CommandHandler("me", show_profile),
    CallbackQueryHandler(on_edit, pattern=callbacks.pattern(EDIT)),
]
