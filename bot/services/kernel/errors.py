"""Domain errors. Services raise them; handlers turn each into a localized reply
(the message key is ``error.<code>``). Anything else is a bug and reaches the one
error handler."""

from __future__ import annotations

from datetime import datetime

from bot.services.kernel.dto import UnitDTO


class DomainError(Exception):
    code = "domain"

    def __init__(self, detail: str = "", **values: object) -> None:
        super().__init__(detail or self.code)
        self.values = values

    def __copy__(self) -> DomainError:
        """The same error, for another caller to raise (one instance raised in several
        tasks would share its traceback): its attributes copied, whatever the
        subclass's ``__init__`` takes (``copy.copy`` would call it with the message)."""
        clone = type(self).__new__(type(self), *self.args)
        clone.__dict__.update(self.__dict__)
        return clone


class NotFound(DomainError):
    code = "not_found"


class NotAllowed(DomainError):
    """The user's role does not allow this."""

    code = "not_allowed"


class AwaitingApproval(NotAllowed):
    """A volunteer whose registration waits for the community's approval, asking for
    what approved volunteers may do."""

    code = "awaiting_approval"


class NotInScope(NotAllowed):
    """A coordinator acting on something outside their unit."""

    code = "not_in_scope"


class AlreadyDecided(DomainError):
    code = "already_decided"


class UnknownUser(DomainError):
    """Someone who never started the bot."""

    code = "unknown_user"


class InvalidValue(DomainError):
    """Bad input for one field; ``reason`` picks the message ``invalid.<field>.<reason>``."""

    code = "invalid"

    def __init__(self, field: str, reason: str, **values: object) -> None:
        super().__init__(f"{field}: {reason}", **values)
        self.field = field
        self.reason = reason


# ---- orders and claims (接单) ----------------------------------------------------------


class SlotsFull(DomainError):
    """Every place of the order is taken (the volunteer may join the waitlist)."""

    code = "slots_full"


class AlreadyClaimed(DomainError):
    """The volunteer already holds a place (or a waitlist place) on this order."""

    code = "already_claimed"


class OpensLater(DomainError):
    """Not yet: it opens at ``opens_at`` (also in ``values``)."""

    def __init__(self, opens_at: datetime) -> None:
        super().__init__(f"opens at {opens_at.isoformat()}", opens_at=opens_at)
        self.opens_at = opens_at


class NotOpenYet(OpensLater):
    """Grabbing opens at ``opens_at``."""

    code = "not_open_yet"


class OverlappingClaim(DomainError):
    """The volunteer holds a place whose time window overlaps this order's."""

    code = "overlapping_claim"


class TooManyClaims(DomainError):
    """The volunteer holds the most upcoming places allowed ([orders] max_upcoming_claims)."""

    code = "too_many_claims"


class OrderClosed(DomainError):
    """The order is not taking volunteers (not published, started, cancelled …)."""

    code = "order_closed"


class CancelTooLate(DomainError):
    """The service has started (or is done): the place can no longer be cancelled."""

    code = "cancel_too_late"


class OfferExpired(DomainError):
    """The offered place was not accepted in time; it has passed to the next in line."""

    code = "offer_expired"


class OutsideArea(NotAllowed):
    """The order is for the volunteers of another community (or street), ``area``:
    only they may take it (the handler names it in the reader's language)."""

    code = "outside_area"

    def __init__(self, area: UnitDTO) -> None:
        super().__init__(f"for the volunteers of {area.name_en}", area=area.code)
        self.area = area


class OfferSettled(DomainError):
    """A press of an offer that is settled already (accepted, declined, withdrawn, or
    an older offer of the same claim): nothing is changed."""

    code = "offer_settled"


class PlaceChanged(DomainError):
    """A press of a button made for a claim as it was (a place since given up, grabbed
    again, or checked in): nothing is changed."""

    code = "place_changed"


class TeamRequired(NotAllowed):
    """The order needs a specialty team the volunteer is not in."""

    code = "team_required"


# ---- service (实践服务): bot/services/service_day/attendance.py


class CheckInNotOpen(OpensLater):
    """Check-in opens ``opens_at`` (``[orders] check_in_opens_minutes`` before the start)."""

    code = "check_in_not_open"


class CheckInClosed(DomainError):
    """The window is over, or the place was marked a no-show."""

    code = "check_in_closed"


class NotCheckedIn(DomainError):
    code = "not_checked_in"


class CheckOutTooEarly(DomainError):
    """Checking out before the service started."""

    code = "check_out_too_early"


class NotFinished(DomainError):
    """Completion (or a correction) while a volunteer still holds a place."""

    code = "service_not_finished"


class ContactHidden(DomainError):
    """The resident's address and phone are no longer shown to this volunteer: the
    service is over plus ``hide_contact_after_hours`` (or the place is not held)."""

    code = "contact_hidden"


class PlaceGivenUp(ContactHidden):
    """The address and phone of a place its volunteer gave up: no longer shown."""

    code = "place_given_up"


class OrderCalledOff(ContactHidden):
    """The address and phone of an order its requester called off: no longer shown."""

    code = "order_called_off"


# ---- the 公益银行 ledger: bot/services/points/


class InsufficientPoints(DomainError):
    """A spend, a transfer, a reward's cost or a coordinator's deduction larger than the
    balance (``balance`` and, for a reward, ``cost``, in tenths, also in ``values``):
    nothing is moved."""

    code = "insufficient_points"

    def __init__(self, balance: int, cost: int | None = None) -> None:
        values = {"balance": balance} if cost is None else {"balance": balance, "cost": cost}
        super().__init__(f"the balance is {balance} tenths", **values)
        self.balance = balance
        self.cost = cost


class TransfersOff(NotAllowed):
    """``[points] transfers = false``: volunteers may not give points away."""

    code = "transfers_off"
