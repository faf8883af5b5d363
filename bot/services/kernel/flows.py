"""Drafts of multi-step chat flows, kept in the database so a restart loses nothing."""

from __future__ import annotations

from typing import Any

from bot.services.kernel.dto import FlowDTO
from storage.database import Database
from storage.repositories import flows as flows_repo


class FlowService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, user_id: int) -> FlowDTO | None:
        async with self.db.read() as session:
            state = await flows_repo.get(session, user_id)
            if state is None:
                return None
            return FlowDTO(state.flow, state.step, state.nonce, dict(state.data))

    async def save(self, user_id: int, flow: str, step: str, data: dict[str, Any]) -> FlowDTO:
        async with self.db.transaction() as session:
            state = await flows_repo.save(session, user_id, flow, step, data)
            return FlowDTO(state.flow, state.step, state.nonce, dict(state.data))

    async def clear(self, user_id: int) -> bool:
        async with self.db.transaction() as session:
            existed = await flows_repo.get(session, user_id) is not None
            await flows_repo.clear(session, user_id)
            return existed
