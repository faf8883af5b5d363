"""Fault injection: rules that make chosen Bot API calls fail or stall."""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from typing import Any

from sandbox.errors import ApiError, bad_request, forbidden, too_many_requests

FAULT_KINDS = ("429", "403", "400", "5xx", "slow")


@dataclass
class FaultRule:
    """Matches calls of ``method`` (any if None) to ``chat_id`` (any if None).

    ``times`` counts down with each match; None means until removed.
    """

    id: int
    kind: str
    method: str | None = None
    chat_id: int | None = None
    retry_after: int = 1
    description: str | None = None
    delay_s: float = 1.0
    times: int | None = None
    status: int = 500

    def matches(self, method: str, chat_id: int | None) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id

    def error(self) -> ApiError | None:
        """The error this rule answers with (None for "slow", which only delays)."""
        if self.kind == "429":
            return too_many_requests(self.retry_after)
        if self.kind == "403":
            return forbidden(self.description or "bot was blocked by the user")
        if self.kind == "400":
            return bad_request(self.description or "injected fault")
        if self.kind == "5xx":
            return ApiError(self.status, self.description or "Internal Server Error")
        return None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Faults:
    def __init__(self) -> None:
        self.rules: list[FaultRule] = []
        self._ids = itertools.count(1)

    def add(
        self,
        kind: str,
        method: str | None = None,
        chat_id: int | str | None = None,
        retry_after: int = 1,
        description: str | None = None,
        delay_s: float = 1.0,
        times: int | None = None,
        status: int = 500,
    ) -> FaultRule:
        kind = str(kind)
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {FAULT_KINDS}, not {kind!r}")
        if kind == "5xx" and not 500 <= status <= 599:
            raise ValueError("a 5xx fault needs a status 500-599")
        rule = FaultRule(
            id=next(self._ids),
            kind=kind,
            method=method,
            chat_id=int(chat_id) if chat_id is not None else None,
            retry_after=int(retry_after),
            description=description,
            delay_s=float(delay_s),
            times=times,
            status=int(status),
        )
        self.rules.append(rule)
        return rule

    def remove(self, rule: FaultRule | int) -> bool:
        rule_id = rule if isinstance(rule, int) else rule.id
        before = len(self.rules)
        self.rules = [r for r in self.rules if r.id != rule_id]
        return len(self.rules) != before

    def clear(self) -> None:
        self.rules.clear()

    def take(self, method: str, chat_id: int | None) -> FaultRule | None:
        """The first rule matching this call, its count taken down; spent rules go."""
        for rule in self.rules:
            if rule.matches(method, chat_id):
                if rule.times is not None:
                    rule.times -= 1
                    if rule.times <= 0:
                        self.remove(rule)
                return rule
        return None
