"""The drafts of a coordinator's adjustment and of a volunteer's transfer."""

from __future__ import annotations

from pydantic import field_validator

from bot.services.kernel.drafts import Draft
from bot.services.points.adjust import check_adjustment
from bot.services.points.transfers import check_transfer


class AdjustDraft(Draft):
    volunteer: int | None = None
    name: str | None = None  # the volunteer's, as shown
    balance: int = 0  # tenths, when the flow began
    amount: int | None = None  # signed tenths

    @field_validator("amount")
    @classmethod
    def _amount(cls, value: int | None) -> int | None:
        return None if value is None else check_adjustment(value)


class TransferDraft(Draft):
    to_user: int | None = None  # a volunteer's user id …
    to_fund: bool = False  # … or the sender's community fund
    name: str | None = None  # whom, as shown
    amount: int | None = None  # tenths

    @field_validator("amount")
    @classmethod
    def _amount(cls, value: int | None) -> int | None:
        return None if value is None else check_transfer(value)
