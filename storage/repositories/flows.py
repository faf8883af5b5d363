from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FlowState
from storage.types import utcnow

NONCE_MAX = 2**31 - 1  # flow_states.nonce is a 32-bit INTEGER


def new_nonce(previous: int | None = None) -> int:
    """A nonce for the buttons of the question about to be asked: random, so that it
    differs from the nonces of earlier questions — also those of a flow that ended
    (``/cancel``, done) and whose row is gone, which a counter restarting at 1 would
    repeat; never the previous one."""
    while True:
        nonce = secrets.randbelow(NONCE_MAX) + 1
        if nonce != previous:
            return nonce


async def get(session: AsyncSession, user_id: int) -> FlowState | None:
    return await session.get(FlowState, user_id)


async def save(
    session: AsyncSession,
    user_id: int,
    flow: str,
    step: str,
    data: dict[str, Any],
    history: Sequence[str] = (),
    return_to: str | None = None,
    return_until: str | None = None,
) -> FlowState:
    state = await session.get(FlowState, user_id)
    if state is None:
        state = FlowState(user_id=user_id, flow=flow, step=step, nonce=new_nonce(), data=data)
        session.add(state)
    else:
        state.flow, state.step, state.data = flow, step, dict(data)
        state.nonce = new_nonce(state.nonce)
        state.updated_at = utcnow()
    state.history, state.return_to, state.return_until = list(history), return_to, return_until
    await session.flush()
    return state


async def clear(session: AsyncSession, user_id: int) -> None:
    await session.execute(delete(FlowState).where(FlowState.user_id == user_id))
