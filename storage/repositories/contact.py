"""The contact_reveals table: the messages that showed a volunteer a resident's address
and phone, and whether each has been edited to a version without them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Claim, ContactReveal
from storage.repositories.upsert import insert_for


async def insert_ignore(
    session: AsyncSession, *, claim_id: int, chat_id: int, message_id: int, now: datetime
) -> bool:
    """Record the message (once: UNIQUE(chat_id, message_id)); True when new."""
    stmt = (
        insert_for(session, ContactReveal.__table__)
        .values(claim_id=claim_id, chat_id=chat_id, message_id=message_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["chat_id", "message_id"])
    )
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def insert_ignore_many(
    session: AsyncSession, rows: Sequence[dict[str, int]], *, now: datetime
) -> None:
    """Record several messages (``claim_id``, ``chat_id``, ``message_id`` each) in one
    statement; those recorded already are left as they are."""
    if not rows:
        return
    stmt = (
        insert_for(session, ContactReveal.__table__)
        .values(
            claim_id=bindparam("r_claim_id"),
            chat_id=bindparam("r_chat_id"),
            message_id=bindparam("r_message_id"),
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["chat_id", "message_id"])
    )
    await session.execute(stmt, [{f"r_{k}": v for k, v in row.items()} for row in rows])


async def shown_of_claim(session: AsyncSession, claim_id: int) -> list[ContactReveal]:
    """The claim's messages that still show the contact, oldest first."""
    return list(
        await session.scalars(
            select(ContactReveal)
            .where(ContactReveal.claim_id == claim_id, ContactReveal.hidden_at.is_(None))
            .order_by(ContactReveal.id)
        )
    )


async def shown_of_order(session: AsyncSession, order_id: int) -> list[ContactReveal]:
    """The messages of any of the order's claims that still show the contact."""
    return list(
        await session.scalars(
            select(ContactReveal)
            .join(Claim, Claim.id == ContactReveal.claim_id)
            .where(Claim.order_id == order_id, ContactReveal.hidden_at.is_(None))
            .order_by(ContactReveal.id)
        )
    )


async def mark_hidden(session: AsyncSession, reveal_ids: Sequence[int], at: datetime) -> None:
    if not reveal_ids:
        return
    await session.execute(
        update(ContactReveal)
        .where(ContactReveal.id.in_(list(reveal_ids)), ContactReveal.hidden_at.is_(None))
        .values(hidden_at=at)
        .execution_options(synchronize_session=False)
    )
