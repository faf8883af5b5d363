"""Domain errors. Services raise them; handlers turn each into a localized reply
(the message key is ``error.<code>``). Anything else is a bug and reaches the one
error handler."""

from __future__ import annotations


class DomainError(Exception):
    code = "domain"

    def __init__(self, detail: str = "", **values: object) -> None:
        super().__init__(detail or self.code)
        self.values = values


class NotFound(DomainError):
    code = "not_found"


class NotAllowed(DomainError):
    """The user's role does not allow this."""

    code = "not_allowed"


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
