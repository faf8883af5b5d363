"""Drafts of multi-step chat flows, kept in the database so a restart loses nothing.

The service that consumes a draft (a request submitted, a registration confirmed …)
clears it in its own unit of work with :func:`clear_draft`, so the order and the
draft's end are one commit: a crash between them cannot leave a draft to submit twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.dto import FlowDTO, from_row
from storage.database import Database
from storage.models import FlowState
from storage.repositories import flows as flows_repo


def _dto(state: FlowState) -> FlowDTO:
    return from_row(FlowDTO, state, data=dict(state.data), history=tuple(state.history or ()))


async def clear_draft(session: AsyncSession, user_id: int | None) -> None:
    """End ``user_id``'s flow in the caller's transaction (None: no flow to end)."""
    if user_id is not None:
        await flows_repo.clear(session, user_id)


class FlowService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, user_id: int) -> FlowDTO | None:
        async with self.db.read() as session:
            state = await flows_repo.get(session, user_id)
            return None if state is None else _dto(state)

    async def save(
        self,
        user_id: int,
        flow: str,
        step: str,
        data: dict[str, Any],
        *,
        history: Sequence[str] = (),
        return_to: str | None = None,
        return_until: str | None = None,
    ) -> FlowDTO:
        async with self.db.transaction() as session:
            state = await flows_repo.save(
                session, user_id, flow, step, data, history, return_to, return_until
            )
            return _dto(state)

    async def clear(self, user_id: int) -> bool:
        async with self.db.transaction() as session:
            existed = await flows_repo.get(session, user_id) is not None
            await flows_repo.clear(session, user_id)
            return existed
