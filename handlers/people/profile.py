"""/me: the user's profile, and editing it one field at a time (same questions as at
registration)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot import callback_data as callbacks
from bot.background import wake_sender
from bot.messages.people import volunteer_card
from bot.messages.ratings import summary_text
from bot.messages.recognition import stars_line
from bot.services.kernel.drafts import needed
from bot.services.people.drafts import ProfileDraft
from handlers.common import Reply, answer, domain_errors, me, refresh_me, services, tr
from handlers.flows.dispatch import start_flow
from handlers.flows.engine import Flow
from handlers.flows.questions import (
    CommunityStep,
    GridStep,
    NameStep,
    PhoneStep,
    StreetStep,
    TeamsStep,
)
from handlers.flows.turn import Turn
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
        lines.append(summary_text(t, await s.ratings.my_rating(user)))
        lines.append(stars_line(t, await s.stars.standing(user.id)))
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
    draft = ProfileDraft()
    if volunteer is not None:
        draft = ProfileDraft(
            community_id=volunteer.community.id,
            street_id=volunteer.community.parent_id,
            team_ids=[t.id for t in volunteer.teams],
            community_has_grids=True,
        )
    await start_flow(update, context, f"edit_{field}", draft)


def _draft(turn: Turn) -> ProfileDraft:
    return turn.draft_as(ProfileDraft)


async def _saved(turn: Turn, **changes: object) -> None:
    """The profile changed, and the draft cleared in the same transaction."""
    result = await turn.services.volunteers.update(turn.me.id, draft_of=turn.me.id, **changes)
    await turn.say(turn.tr("profile.saved"))
    if result.notify:
        await turn.say(turn.tr("profile.reapproval"))
        wake_sender(turn.context.application)
    await refresh_me(turn.update, turn.context)
    await show_profile(turn.update, turn.context)


async def _home_saved(turn: Turn) -> None:
    community_id = needed(_draft(turn).community_id, "community")
    await turn.services.users.set_home_community(turn.me.id, community_id, draft_of=turn.me.id)
    await turn.say(turn.tr("profile.saved"))
    await refresh_me(turn.update, turn.context)
    await show_home(turn.update, turn.context)


async def _name_saved(turn: Turn) -> None:
    await _saved(turn, real_name=needed(_draft(turn).name, "name"))


async def _phone_saved(turn: Turn) -> None:
    d = _draft(turn)
    await _saved(turn, phone=needed(d.phone, "phone"), phone_verified=d.phone_verified)


async def _community_saved(turn: Turn) -> None:
    await _saved(turn, community_id=needed(_draft(turn).community_id, "community"))


async def _grid_saved(turn: Turn) -> None:
    await _saved(turn, grid_id=_draft(turn).grid_id)


async def _teams_saved(turn: Turn) -> None:
    await _saved(turn, team_ids=list(_draft(turn).team_ids))


FLOWS = (
    Flow("edit_name", ProfileDraft, [NameStep()], done=_name_saved),
    Flow("edit_phone", ProfileDraft, [PhoneStep()], done=_phone_saved),
    Flow("edit_community", ProfileDraft, [StreetStep(), CommunityStep()], done=_community_saved),
    Flow("edit_grid", ProfileDraft, [GridStep()], done=_grid_saved),
    Flow("edit_teams", ProfileDraft, [TeamsStep()], done=_teams_saved),
    Flow("edit_home", ProfileDraft, [StreetStep(), CommunityStep()], done=_home_saved),
)

HANDLERS = [
    CommandHandler("me", show_profile),
    CallbackQueryHandler(on_edit, pattern=callbacks.pattern(EDIT)),
]
