"""Rights: who may act on what. Every command and every button press passes here."""

from __future__ import annotations

from bot.services.kernel.dto import Role, UnitDTO, UserDTO
from bot.services.kernel.errors import AwaitingApproval, NotAllowed, NotInScope
from storage.enums import ApprovalState


def require_role(user: UserDTO, *roles: Role) -> None:
    if not user.roles.intersection(roles):
        if Role.VOLUNTEER in roles and user.volunteer_status == ApprovalState.PENDING.value:
            raise AwaitingApproval("volunteer not approved yet")
        raise NotAllowed(f"needs one of {', '.join(roles)}")


def require_coordinator(user: UserDTO) -> UnitDTO:
    if user.coordinator_unit is None:
        raise NotAllowed("coordinators only")
    return user.coordinator_unit


def require_scope(user: UserDTO, unit_path: str, *, strictly_below: bool = False) -> UnitDTO:
    """The coordinator's unit, if ``unit_path`` lies at (or strictly below) it."""
    unit = require_coordinator(user)
    inside = unit.is_above(unit_path) if strictly_below else unit.contains(unit_path)
    if not inside:
        raise NotInScope(unit_path)
    return unit


def ancestor_ids(path: str) -> list[int]:
    """``/1/4/17/`` → ``[17, 4, 1]``: the unit itself first, then upwards."""
    return [int(part) for part in reversed(path.strip("/").split("/")) if part]
