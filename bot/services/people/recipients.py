"""Who is told: a user as the recipient of a message (their chat and language), and the
coordinators a matter goes to — those of the nearest unit above a place that has any."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.dto import Recipient
from bot.services.kernel.errors import NotFound
from bot.services.kernel.scope import ancestor_ids
from bot.services.people.users import effective_language
from storage.repositories import coordinators as coordinators_repo
from storage.repositories import users as users_repo


async def recipient(session: AsyncSession, user_id: int, default_language: str) -> Recipient:
    user = await users_repo.by_id(session, user_id)
    if user is None:
        raise NotFound("user")
    return Recipient(user.telegram_id, effective_language(user, default_language))


async def coordinators_at(
    session: AsyncSession, unit_ids: list[int], default_language: str
) -> list[Recipient]:
    """The coordinators bound to these units, each once."""
    seen: dict[int, Recipient] = {}
    for _binding, user, _unit in await coordinators_repo.at_units(session, unit_ids):
        seen.setdefault(
            user.telegram_id,
            Recipient(user.telegram_id, effective_language(user, default_language)),
        )
    return list(seen.values())


async def nearest_coordinators(
    session: AsyncSession, path: str, default_language: str
) -> list[Recipient]:
    """The coordinators of the nearest unit at or above ``path`` that has any: a grid's,
    else its community's, else the street's, else the district's."""
    for unit_id in ancestor_ids(path):
        found = await coordinators_at(session, [unit_id], default_language)
        if found:
            return found
    return []
