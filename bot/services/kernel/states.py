"""The states services hand out in their DTOs: an order's, a claim's, a volunteer's
approval, a unit's kind. Handlers and messages compare with these members (never with
raw strings, never with ``storage``); they are ``StrEnum``, the same values as stored."""

from storage.enums import ApprovalState, ClaimState, OrderScope, OrderState, UnitKind

__all__ = ["ApprovalState", "ClaimState", "OrderScope", "OrderState", "UnitKind"]
