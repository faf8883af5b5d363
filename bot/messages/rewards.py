"""Words of the rewards catalogue (公益兑换): a reward's card, the catalogue and one's
redemptions as lists, the confirmation, and the notices of bot/services/points/notices.py
— the unit's coordinators told of a redemption (with "handed over" and "cancel"), the
volunteer told it was handed over or cancelled. Names and descriptions are the
coordinators' own words: escaped wherever they are shown (the translator does it)."""

from __future__ import annotations

from bot import callback_data
from bot.i18n import Markup, Translator
from bot.messages.common import Builder, local_time, points_text, press_button
from bot.services.kernel.scheduling import Outgoing
from bot.services.points.notices import (
    RedemptionCancelled,
    RedemptionDTO,
    RedemptionHandedOver,
    RedemptionMade,
    RedemptionState,
)
from bot.services.points.rewards import RewardDTO

STATES = {
    RedemptionState.PENDING.value: "rewards.state_pending",
    RedemptionState.HANDED_OVER.value: "rewards.state_handed_over",
    RedemptionState.CANCELLED.value: "rewards.state_cancelled",
}


def days_text(tr: Translator, reward: RewardDTO) -> Markup | None:
    """When it is offered, if not always."""
    first, last = reward.first_day, reward.last_day
    if first and last:
        return tr("rewards.days_between", first=first.isoformat(), last=last.isoformat())
    if first:
        return tr("rewards.days_from", first=first.isoformat())
    if last:
        return tr("rewards.days_until", last=last.isoformat())
    return None


def reward_card(tr: Translator, reward: RewardDTO) -> Markup:
    """Name, description, cost, stock and days."""
    lines = [tr("rewards.card_name", name=reward.name)]
    if reward.description:
        lines.append(tr("rewards.card_description", description=reward.description))
    lines.append(tr("rewards.card_cost", cost=points_text(reward.cost), stock=reward.stock))
    days = days_text(tr, reward)
    if days:
        lines.append(days)
    return Markup("\n".join(lines))


def catalogue_text(
    tr: Translator, rewards: tuple[RewardDTO, ...], page: int, pages: int, balance: int
) -> Markup:
    if not rewards:
        return tr("rewards.catalogue_empty", balance=points_text(balance))
    head = tr("rewards.catalogue_title", page=page + 1, pages=pages, balance=points_text(balance))
    items = [
        tr(
            "rewards.catalogue_item",
            index=i,
            name=r.name,
            cost=points_text(r.cost),
            stock=r.stock,
        )
        for i, r in enumerate(rewards, start=1 + page * 5)
    ]
    return Markup("\n".join([head, "", *items]))


def confirm_text(tr: Translator, reward: RewardDTO, balance: int) -> Markup:
    return Markup(
        reward_card(tr, reward)
        + "\n\n"
        + tr(
            "rewards.confirm",
            name=reward.name,
            cost=points_text(reward.cost),
            balance=points_text(balance),
            after=points_text(balance - reward.cost),
        )
    )


def state_text(tr: Translator, redemption: RedemptionDTO) -> Markup:
    if redemption.state == RedemptionState.CANCELLED.value:
        return tr("rewards.state_cancelled", reason=redemption.reason or "")
    return tr(STATES[redemption.state])


def mine_text(
    tr: Translator,
    redemptions: tuple[RedemptionDTO, ...],
    page: int,
    pages: int,
    balance: int,
    timezone: str,
) -> Markup:
    if not redemptions:
        return tr("rewards.mine_empty", balance=points_text(balance))
    head = tr("rewards.mine_title", page=page + 1, pages=pages, balance=points_text(balance))
    items = [
        tr(
            "rewards.mine_item",
            id=r.id,
            when=local_time(r.created_at, timezone),
            name=r.reward_name,
            cost=points_text(r.cost),
            state=state_text(tr, r),
        )
        for r in redemptions
    ]
    return Markup("\n".join([head, "", *items]))


# ---- notices -------------------------------------------------------------------------


def redemption_made(n: RedemptionMade, tr: Translator, timezone: str) -> Outgoing:
    r = n.redemption
    text = tr(
        "rewards.made_notice",
        volunteer=n.volunteer_name,
        name=r.reward_name,
        cost=points_text(r.cost),
        id=r.id,
        stock=n.stock_left,
        when=local_time(r.created_at, timezone),
    )
    buttons = (
        (
            press_button(tr.plain("rewards.button_handed"), callback_data.HAND_OVER, r.id),
            press_button(
                tr.plain("rewards.button_cancel_redemption"), callback_data.CANCEL_REDEMPTION, r.id
            ),
        ),
    )
    return Outgoing(chat_id=n.to.telegram_id, text=text, buttons=buttons)


def redemption_handed_over(n: RedemptionHandedOver, tr: Translator, timezone: str) -> Outgoing:
    r = n.redemption
    text = tr("rewards.handed_notice", name=r.reward_name, id=r.id)
    return Outgoing(chat_id=n.to.telegram_id, user_id=r.volunteer_id, text=text)


def redemption_cancelled(n: RedemptionCancelled, tr: Translator, timezone: str) -> Outgoing:
    r = n.redemption
    text = tr(
        "rewards.cancelled_notice",
        name=r.reward_name,
        id=r.id,
        reason=r.reason or "",
        cost=points_text(r.cost),
        balance=points_text(n.balance),
    )
    return Outgoing(chat_id=n.to.telegram_id, user_id=r.volunteer_id, text=text)


BUILDERS: dict[type, Builder] = {
    RedemptionMade: redemption_made,
    RedemptionHandedOver: redemption_handed_over,
    RedemptionCancelled: redemption_cancelled,
}
