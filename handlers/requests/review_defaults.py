"""Publish with these defaults: what will be published (bot/services/requests/publish.py
default_publication), to publish as it is or to change a setting first (asked by its
publishing step, then back to the summary). The approve flow: the publishing steps,
then this summary."""

from __future__ import annotations

from bot.messages.common import guidance_text, local_time
from bot.services.kernel.drafts import needed
from bot.services.kernel.dto import OrderDTO
from bot.services.kernel.states import OrderScope
from bot.services.requests.drafts import ApproveDraft
from bot.services.requests.publish import default_publication
from handlers.flows.engine import Flow, Step
from handlers.flows.turn import Turn
from handlers.requests.review_publish import APPROVE, PUBLISH_STEPS, approve_done

SUMMARY_EDITS = (  # (button label, the step it asks again)
    ("review.edit_places", "places"),
    ("review.edit_rate", "rate"),
    ("review.edit_team", "team"),
    ("review.edit_guidance", "guidance"),
    ("review.edit_opens", "opens"),
    ("review.edit_scope", "scope"),
)
SCOPE_LABELS: dict[str, str] = {
    OrderScope.COMMUNITY: "review.button_scope_community",
    OrderScope.STREET: "review.button_scope_street",
    OrderScope.DISTRICT: "review.button_scope_district",
}


def defaults_draft(order: OrderDTO) -> ApproveDraft:
    """The approve flow's draft for "publish with these defaults"
    (bot/services/requests/publish.py default_publication), shown by its summary step."""
    p = default_publication(order)
    return ApproveDraft(
        order=order.id,
        defaults=True,
        places=p.places,
        rate=p.points_rate,
        team=p.team_id,
        guidance=p.guidance,
        opens=p.opens_at,
        scope=p.scope,
    )


class PublishSummaryStep(Step):
    """Everything that will be published, with "publish" and a button per setting
    (asked by its own step, then back here). Only reached from "publish with these
    defaults": the step-by-step approval publishes after its last question."""

    name = "summary"

    def applies(self, turn: Turn) -> bool:
        return turn.draft_as(ApproveDraft).defaults

    async def ask(self, turn: Turn) -> None:
        b, t, d = turn.button, turn.tr, turn.draft_as(ApproveDraft)
        order = await turn.services.orders.get(needed(d.order, "order"))
        p = d.publication()
        zone = turn.services.orders.timezone
        team = None
        if p.team_id is not None:
            team = next((x for x in await turn.services.org.teams() if x.id == p.team_id), None)
        category = await turn.services.org.category(order.category)
        rate = turn.services.orders.default_rate if p.points_rate is None else p.points_rate
        opens = t.plain("review.defaults_open_now")
        if p.opens_at is not None:
            opens = t.plain("review.defaults_opens", opens=local_time(p.opens_at, zone))
        text = t(
            "review.defaults",
            number=order.number,
            places=p.places,
            rate=f"{rate:g}",
            team=team.name(t.language) if team else t.plain("review.button_any_team"),
            opens=opens,
            scope=t.plain(SCOPE_LABELS.get(p.scope, SCOPE_LABELS[OrderScope.COMMUNITY])),
            guidance=guidance_text(t, category, p.guidance),
        )
        edits = [b(t.plain(label), "edit", step) for label, step in SUMMARY_EDITS]
        rows = [[b(t.plain("review.button_publish"), "publish")]]
        rows += [edits[i : i + 2] for i in range(0, len(edits), 2)]
        await turn.show(text, turn.keyboard(rows, back=False))

    async def on_button(self, turn: Turn, action: str, arg: str) -> None:
        if action == "edit" and arg in {step for _, step in SUMMARY_EDITS}:
            await turn.edit_field(arg)
        elif action == "publish":
            await approve_done(turn)
        else:
            await turn.ask_again()


FLOWS = (Flow(APPROVE, ApproveDraft, [*PUBLISH_STEPS, PublishSummaryStep()], approve_done),)
