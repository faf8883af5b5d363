"""The drafts of the points bank's flows: a coordinator's adjustment and a volunteer's
transfer, and the rewards catalogue's flows (handlers/points/rewards_manage.py,
handlers/points/redemption_decide.py): a reward as a coordinator adds or edits it, each
answer checked by the catalogue's own checks (bot/services/points/rewards.py), and the
redemption a coordinator cancels."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import ValidationInfo, field_validator

from bot.services.kernel.drafts import Draft, checked, needed
from bot.services.points.adjust import check_adjustment
from bot.services.points.rewards import (
    RewardDTO,
    RewardForm,
    check_cost,
    check_days,
    check_description,
    check_name,
    check_stock,
)
from bot.services.points.transfers import check_transfer


class RewardDraft(Draft):
    """A reward being added (``reward`` None) or edited."""

    reward: int | None = None
    name: Annotated[str | None, checked(check_name)] = None
    description: Annotated[str | None, checked(check_description)] = None
    cost: Annotated[int | None, checked(check_cost)] = None  # tenths
    stock: Annotated[int | None, checked(check_stock)] = None
    first_day: date | None = None
    last_day: date | None = None
    photo: str | None = None  # a Telegram file_id

    @field_validator("last_day")
    @classmethod
    def _last_day(cls, value: date | None, info: ValidationInfo) -> date | None:
        check_days(info.data.get("first_day"), value)
        return value

    @classmethod
    def of(cls, reward: RewardDTO) -> RewardDraft:
        return cls(
            reward=reward.id,
            name=reward.name,
            description=reward.description or None,
            cost=reward.cost,
            stock=reward.stock,
            first_day=reward.first_day,
            last_day=reward.last_day,
            photo=reward.photo_file_id,
        )

    def form(self) -> RewardForm:
        return RewardForm(
            name=needed(self.name, "reward_name"),
            cost=needed(self.cost, "cost"),
            stock=needed(self.stock, "stock"),
            description=self.description or "",
            first_day=self.first_day,
            last_day=self.last_day,
            photo_file_id=self.photo,
        )


class RedemptionCancelDraft(Draft):
    """A coordinator cancelling a redemption: which, and its reward's name as shown."""

    redemption: int | None = None
    name: str | None = None


class AdjustDraft(Draft):
    volunteer: int | None = None
    name: str | None = None  # the volunteer's, as shown
    balance: int = 0  # tenths, when the flow began
    amount: Annotated[int | None, checked(check_adjustment)] = None  # signed tenths


class TransferDraft(Draft):
    to_user: int | None = None  # a volunteer's user id …
    to_fund: bool = False  # … or the sender's community fund
    name: str | None = None  # whom, as shown
    amount: Annotated[int | None, checked(check_transfer)] = None  # tenths
