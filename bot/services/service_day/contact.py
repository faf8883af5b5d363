"""The resident's address and phone: shown to a volunteer only in their place message,
and hidden again.

Every message that showed them is recorded (:meth:`ContactService.record`, called by
the handler after sending it). ``[orders] hide_contact_after_hours`` after the order
ends a durable job (``order:{id}:hide_contact``, planned on publication) edits each
such message of the order to the same text with the address and phone replaced by a
note, and no buttons, through the outbox (an ``edit``), and marks it hidden. A place
given up earlier is hidden at once with :meth:`hide_for_claim` (or a whole cancelled
order with :meth:`hide_for_order`), in the transaction of the cancellation; the job
at the end catches anything recorded late.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.runtime.batching import Batcher
from bot.services.grabs.rules import claim_dto
from bot.services.kernel.base import LoopService
from bot.services.kernel.dto import OrderDTO, Recipient
from bot.services.org.units import category_dto
from bot.services.people.users import effective_language
from bot.services.service_day.notices import PlaceHidden
from storage.enums import ClaimState
from storage.models import ContactReveal, Order
from storage.repositories import claims as claims_repo
from storage.repositories import contact as contact_repo
from storage.repositories import orders as orders_repo
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo

log = logging.getLogger(__name__)

HIDE_JOB = "contact.hide"
# the claim states in which a volunteer may still see the contact (until the job)
SHOWING = (
    ClaimState.CLAIMED.value,
    ClaimState.CHECKED_IN.value,
    ClaimState.DONE.value,
    ClaimState.NO_SHOW.value,
)


def hide_job_key(order_id: int) -> str:
    return f"order:{order_id}:hide_contact"


@dataclass(eq=False, kw_only=True)
class ContactService(LoopService):
    hide_after: timedelta

    async def plan(self, session: AsyncSession, order: OrderDTO) -> None:
        """On publication (OrderService.on_published): the job that hides it all."""
        await self.scheduler.schedule(
            session,
            HIDE_JOB,
            hide_job_key(order.id),
            order.ends_at + self.hide_after,
            order=order.id,
        )

    # the recording of concurrent place messages (a grab storm's winners) is
    # group-committed: one transaction for all of them (made on first use)
    _records: Batcher[None, tuple[int, int, int], None] | None = field(
        default=None, init=False, repr=False
    )

    async def record(self, claim_id: int, chat_id: int, message_id: int) -> None:
        """The message ``message_id`` in ``chat_id`` showed the contact to the holder of
        ``claim_id`` (idempotent). If the place was given up meanwhile, or the hiding
        time has passed, it is hidden at once. Returns once committed; concurrent calls
        share one transaction (a lone call is a batch of one, at once)."""
        if self._records is None:
            self._records = Batcher(self._record_batch, max_batch=500, name="contact.record")
        await self._records.submit(None, (claim_id, chat_id, message_id))

    async def _record_batch(
        self, _: None, reveals: list[tuple[int, int, int]]
    ) -> Sequence[BaseException | None]:
        try:
            await self._record_many(reveals)
            return [None] * len(reveals)
        except Exception:
            if len(reveals) == 1:
                raise
            log.exception("recording %s reveals together failed; one by one", len(reveals))
            outcomes: list[BaseException | None] = []
            for reveal in reveals:
                try:
                    await self._record_many([reveal])
                    outcomes.append(None)
                except Exception as exc:  # handed to that caller
                    outcomes.append(exc)
            return outcomes

    async def _record_many(self, reveals: list[tuple[int, int, int]]) -> None:
        now = self.clock.now()
        async with self.db.transaction() as session:
            await contact_repo.insert_ignore_many(
                session,
                [
                    {"claim_id": claim_id, "chat_id": chat_id, "message_id": message_id}
                    for claim_id, chat_id, message_id in reveals
                ],
                now=now,
            )
            claim_ids = list(dict.fromkeys(claim_id for claim_id, _, _ in reveals))
            claims = await claims_repo.many(session, claim_ids)
            orders: dict[int, Order | None] = {}
            for claim in claims.values():
                if claim.order_id not in orders:
                    orders[claim.order_id] = await orders_repo.get(session, claim.order_id)
            for claim_id in claim_ids:
                held = claims.get(claim_id)
                order = orders.get(held.order_id) if held else None
                if (
                    held is None
                    or order is None
                    or held.state not in SHOWING
                    or now >= order.ends_at + self.hide_after
                ):
                    await self.hide_for_claim(session, claim_id)

    async def hide_for_claim(self, session: AsyncSession, claim_id: int) -> int:
        """In the caller's unit of work (e.g. the volunteer's cancellation): hide the
        contact in every message that showed it to this claim's holder. How many."""
        return await self._hide(session, await contact_repo.shown_of_claim(session, claim_id))

    async def hide_for_order(self, session: AsyncSession, order_id: int) -> int:
        """In the caller's unit of work (the job after the service, or a cancelled
        order): hide the contact from every volunteer of the order. How many."""
        return await self._hide(session, await contact_repo.shown_of_order(session, order_id))

    async def hide_order(self, session: AsyncSession, order: OrderDTO) -> None:
        """OrderService.on_cancelled: the requester called the order off."""
        await self.hide_for_order(session, order.id)

    async def _hide(self, session: AsyncSession, reveals: list[ContactReveal]) -> int:
        if not reveals:
            return 0
        categories = await org_repo.categories_by_codes(session)
        for reveal in reveals:
            claim = await claims_repo.get(session, reveal.claim_id)
            assert claim is not None  # the reveal is deleted with its claim
            order = await orders_repo.get(session, claim.order_id)
            user = await users_repo.by_id(session, claim.volunteer_id)
            assert order is not None and user is not None
            category = categories.get(order.category)
            notice = PlaceHidden(
                Recipient(user.telegram_id, effective_language(user, self.default_language)),
                reveal.id,
                reveal.chat_id,
                reveal.message_id,
                claim_dto(claim, order),
                category_dto(category) if category else None,
            )
            await self.notifier.notify(session, notice)
        await contact_repo.mark_hidden(session, [r.id for r in reveals], self.clock.now())
        return len(reveals)
