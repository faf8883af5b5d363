"""Registration: "I need help" (resident: street → community) or "I want to volunteer"
(name, phone, community, optional grid, teams, consent, confirm)."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup

from bot.background import wake_sender
from bot.i18n import Markup
from bot.messages.people import phone_text, teams_text
from bot.services.kernel.drafts import needed
from bot.services.kernel.states import ApprovalState
from bot.services.people.drafts import ResidentDraft, VolunteerDraft
from handlers.common import refresh_me
from handlers.flows.dispatch import start_flow
from handlers.flows.engine import Flow, Step
from handlers.flows.questions import (
    CommunityStep,
    ConsentStep,
    GridStep,
    NameStep,
    PhoneStep,
    StreetStep,
    TeamsStep,
)
from handlers.flows.turn import Turn
from handlers.home import show_home

log = logging.getLogger(__name__)


class RoleStep(Step):
    name = "role"

    async def ask(self, turn: Turn) -> None:
        rows = [
            [turn.button(turn.tr.plain("home.need_help"), "pick", "resident")],
            [turn.button(turn.tr.plain("home.become_volunteer"), "pick", "volunteer")],
        ]
        markup = InlineKeyboardMarkup(rows)
        await turn.show(turn.tr("start.welcome", name=turn.me.first_name), markup)

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action == "pick" and arg in ("resident", "volunteer"):
            await start_flow(turn.update, turn.context, arg)
        else:
            await turn.ask_again()


class ConfirmVolunteerStep(Step):
    name = "confirm"

    async def ask(self, turn: Turn) -> None:
        d, tr, org = turn.draft_as(VolunteerDraft), turn.tr, turn.services.org
        community = await org.unit(needed(d.community_id, "community"))
        grid = await org.unit(d.grid_id) if d.grid_id else None
        teams = [t for t in await org.teams() if t.id in set(d.team_ids)]
        place = community.name(tr.language) if community else "?"
        if grid:
            place += f" · {grid.name(tr.language)}"
        text = tr(
            "confirm.volunteer",
            name=d.name,
            phone=phone_text(tr, needed(d.phone, "phone"), d.phone_verified),
            place=place,
            teams=teams_text(tr, teams),
        )
        b = turn.button
        rows = [
            [b(tr.plain("button.confirm"), "confirm")],
            [b(tr.plain("edit.name"), "edit", "name"), b(tr.plain("edit.phone"), "edit", "phone")],
            [
                b(tr.plain("edit.community"), "edit", "street"),
                b(tr.plain("edit.teams"), "edit", "teams"),
            ],
        ]
        await turn.show(text, turn.keyboard(rows, back=False))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action == "edit" and arg in ("name", "phone", "street", "teams"):
            await turn.edit_field(arg, until="grid" if arg == "street" else None)
        elif action == "confirm":
            await turn.advance()
        else:
            await turn.ask_again()


async def resident_done(turn: Turn) -> None:
    """Where they live is kept, and the draft cleared in the same transaction."""
    community_id = needed(turn.draft_as(ResidentDraft).community_id, "community")
    await turn.services.users.set_home_community(turn.me.id, community_id, draft_of=turn.me.id)
    community = await turn.services.org.unit(community_id)
    await turn.show(turn.tr("resident.registered", community=community.name(turn.tr.language)))
    await refresh_me(turn.update, turn.context)
    await show_home(turn.update, turn.context)


async def volunteer_done(turn: Turn) -> None:
    form = turn.draft_as(VolunteerDraft).form()
    result = await turn.services.volunteers.register(turn.me.id, form, draft_of=turn.me.id)
    name = result.volunteer.real_name
    if result.volunteer.status == ApprovalState.PENDING:
        await turn.show(turn.tr("volunteer.pending", name=name))
    else:  # approval is not required: what to do now
        await turn.show(
            Markup(
                turn.tr("volunteer.approved", name=name) + "\n" + turn.tr("volunteer.next_steps")
            )
        )
    wake_sender(turn.context.application)  # the coordinators' notices are queued
    await refresh_me(turn.update, turn.context)
    await show_home(turn.update, turn.context)


FLOWS = (
    Flow("onboard", ResidentDraft, [RoleStep()], done=resident_done),
    Flow("resident", ResidentDraft, [StreetStep(), CommunityStep()], done=resident_done),
    Flow(
        "volunteer",
        VolunteerDraft,
        [
            NameStep(),
            PhoneStep(),
            StreetStep(),
            CommunityStep(),
            GridStep(),
            TeamsStep(),
            ConsentStep(),
            ConfirmVolunteerStep(),
        ],
        done=volunteer_done,
    ),
)
