from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FlowState
from storage.types import utcnow


async def get(session: AsyncSession, user_id: int) -> FlowState | None:
    return await session.get(FlowState, user_id)


async def save(
    session: AsyncSession, user_id: int, flow: str, step: str, data: dict[str, Any]
) -> FlowState:
    state = await session.get(FlowState, user_id)
    if state is None:
        state = FlowState(user_id=user_id, flow=flow, step=step, nonce=1, data=data)
        session.add(state)
    else:
        state.flow, state.step, state.data = flow, step, dict(data)
        state.nonce = (state.nonce % 9999) + 1
        state.updated_at = utcnow()
    await session.flush()
    return state


async def clear(session: AsyncSession, user_id: int) -> None:
    await session.execute(delete(FlowState).where(FlowState.user_id == user_id))
