"""/broadcast's audience questions: which unit (the coordinator's, or one below it,
street by street), and the summary of the whole audience the confirmation shows."""

from __future__ import annotations

from bot.callback_data import decode_id
from bot.i18n import Markup
from bot.messages.broadcasts import category_name
from bot.services.broadcasts.drafts import BroadcastDraft
from bot.services.kernel.dto import UnitDTO
from bot.services.kernel.errors import NotAllowed
from bot.services.kernel.states import UnitKind
from handlers.flows.engine import Step
from handlers.flows.questions import grid
from handlers.flows.turn import Turn

ABOVE_COMMUNITY = (UnitKind.DISTRICT.value, UnitKind.STREET.value)  # opened, not only picked


async def still_coordinator(turn: Turn) -> UnitDTO | None:
    """The coordinator's unit; None, the flow ended and they told, when they are no
    coordinator any more (removed while composing)."""
    mine = turn.me.coordinator_unit
    if mine is None:
        await turn.refused(NotAllowed("coordinators only"))
    return mine


class AudienceUnitStep(Step):
    """The unit shown (first the coordinator's): "all of it", or one of its units —
    a street opens to its communities, a community is picked."""

    name = "unit"

    async def ask(self, turn: Turn) -> None:
        d = turn.draft_as(BroadcastDraft)
        mine = await still_coordinator(turn)
        if mine is None:
            return
        shown = await turn.services.broadcasts.audience_unit(turn.me, d.browse_id or mine.id)
        lang = turn.me.language
        rows = [
            [
                turn.button(
                    turn.tr.plain("broadcast.button_all_of", unit=shown.name(lang)),
                    "pick",
                    shown.id,
                )
            ]
        ]
        children = await turn.services.org.children(shown.id)
        buttons = [
            turn.button(
                c.name(lang) + (" ›" if c.kind in ABOVE_COMMUNITY else ""),
                "open" if c.kind in ABOVE_COMMUNITY else "pick",
                c.id,
            )
            for c in children
            if c.kind != UnitKind.GRID.value
        ]
        rows += grid(buttons)
        if shown.id != mine.id and shown.parent_id is not None:
            rows.append(
                [turn.button(turn.tr.plain("broadcast.button_up"), "open", shown.parent_id)]
            )
        await turn.show(turn.tr("broadcast.ask_unit", unit=shown.name(lang)), turn.keyboard(rows))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        unit_id = decode_id(arg)
        if action not in ("pick", "open") or unit_id is None:
            await turn.ask_again()
            return
        unit = await turn.services.broadcasts.audience_unit(turn.me, unit_id)  # NotInScope
        d = turn.draft_as(BroadcastDraft)
        if action == "open":
            d.browse_id = unit.id
            await turn.save()
            await self.ask(turn)
            return
        if d.unit_id != unit.id:  # an activity's answers were about another unit
            d.places = d.community_id = None
        d.unit_id, d.unit_kind = unit.id, unit.kind
        d.channel_offered = await turn.services.broadcasts.channel(unit.id) is not None
        d.to_channel = d.to_channel and d.channel_offered
        await turn.advance()


async def describe_audience(turn: Turn, d: BroadcastDraft) -> Markup:
    """The audience in words: the unit, then each narrowing chosen, and the category."""
    lang = turn.me.language
    unit = await turn.services.broadcasts.drafted_unit(turn.me, d)
    parts = [turn.tr("broadcast.audience_unit", unit=unit.name(lang))]
    if d.team_ids:
        names = {t.id: t.name(lang) for t in await turn.services.org.teams()}
        teams = turn.tr.plain("broadcast.list_separator").join(
            names[t] for t in d.team_ids if t in names
        )
        parts.append(turn.tr("broadcast.audience_teams", teams=teams))
    if d.min_hours:
        parts.append(turn.tr("broadcast.audience_hours", n=d.min_hours))
    if d.active_days:
        parts.append(turn.tr("broadcast.audience_active", n=d.active_days))
    if d.kind is not None:
        parts.append(
            turn.tr("broadcast.audience_category", category=category_name(turn.tr, d.kind))
        )
    return Markup("\n".join(parts))
