"""Messages held for someone the bot cannot reach, and what happens to them when that
person writes to the bot again.

A person is unreachable when Telegram refused a message to them: 403 (they blocked the
bot, or the account is gone) or 400 "chat not found" (they never opened it: a
coordinator bound with ``admin add`` before their first /start). The outbox then holds
their messages (status ``held``): the one refused, and every later one without a send
attempt (bot/delivery/sender.py, storage/repositories/outbox.py). On the first update
from them, :meth:`UserService.touch` calls :meth:`HeldMessages.release`, which in one
transaction marks them reachable (their user row locked first, so that a sender holding
a message at that moment is either waited for or sees them reachable) and settles each
held message:

* **delivered** as it was written — back to the queue, in its old order, through the
  normal sender and its pacing — while what it is about still stands (an announcement
  of an order still open, an offer not yet run out, a reminder before the service, the
  person's own news);
* **summed up** when it asks for work that has a queue of its own: a request to review
  (``/review``), a volunteer to approve (``/pending``). One digest, in the person's
  language now, says how many still wait, with the command; the queue shows them as
  they are. (A coordinator who never opened the bot had their notices written in the
  default language, before the bot knew theirs.)
* **dropped** when its event is over: the request was decided, the registration too,
  the order is no longer open, the offer ended, the service started; an edit that a
  later edit of the same message replaces. Each keeps why as its last error; the
  digest says how many.

Holding and releasing cost nothing for people who were never unreachable: touch reads
``unreachable_since`` with the user anyway and calls release only when it is set.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.kernel.clock import Clock
from bot.services.kernel.notify import Notifier
from bot.services.people.notices import WhileAway
from bot.services.people.recipients import recipient
from storage.database import Database
from storage.enums import ApprovalState, ClaimState, OrderState, UnreachableReason
from storage.models import OutboxMessage
from storage.repositories import claims as claims_repo
from storage.repositories import orders as orders_repo
from storage.repositories import outbox as outbox_repo
from storage.repositories import volunteers as volunteers_repo

log = logging.getLogger(__name__)

REVIEW = "review"  # a request waiting for review: /review
APPROVAL = "approval"  # a volunteer waiting for approval: /pending


@dataclass(frozen=True)
class Verdict:
    """What becomes of one held message."""

    send: bool = False
    queue: str | None = None  # summed up in the digest under this queue …
    item: int | None = None  # … counting this (an order, a volunteer) once
    stale: str | None = None  # dropped: why


SEND = Verdict(send=True)
Rule = Callable[[AsyncSession, int, datetime], Awaitable[Verdict]]


async def _review(session: AsyncSession, order_id: int, now: datetime) -> Verdict:
    order = await orders_repo.get(session, order_id)
    if order is not None and order.state == OrderState.PENDING_REVIEW.value:
        return Verdict(queue=REVIEW, item=order.id)
    return Verdict(stale="the request was reviewed (or withdrawn) meanwhile")


async def _approval(session: AsyncSession, volunteer_id: int, now: datetime) -> Verdict:
    profile = await volunteers_repo.profile(session, volunteer_id)
    if profile is not None and profile.status == ApprovalState.PENDING.value:
        return Verdict(queue=APPROVAL, item=volunteer_id)
    return Verdict(stale="the registration was decided meanwhile")


async def _open_order(session: AsyncSession, order_id: int, now: datetime) -> Verdict:
    order = await orders_repo.get(session, order_id)
    if order is not None and order.state == OrderState.OPEN.value and now < order.starts_at:
        return SEND
    return Verdict(stale="the order is no longer open")


async def _before_start(session: AsyncSession, order_id: int, now: datetime) -> Verdict:
    order = await orders_repo.get(session, order_id)
    live = (OrderState.OPEN.value, OrderState.FILLED.value)
    if order is not None and order.state in live and now < order.starts_at:
        return SEND
    return Verdict(stale="the service started, or the order ended")


async def _in_service(session: AsyncSession, order_id: int, now: datetime) -> Verdict:
    order = await orders_repo.get(session, order_id)
    if order is not None and order.state == OrderState.IN_SERVICE.value:
        return SEND
    return Verdict(stale="the order was completed meanwhile")


async def _offer(session: AsyncSession, claim_id: int, now: datetime) -> Verdict:
    claim = await claims_repo.get(session, claim_id)
    if (
        claim is not None
        and claim.state == ClaimState.OFFERED.value
        and claim.offer_expires_at is not None
        and now < claim.offer_expires_at
    ):
        return SEND
    return Verdict(stale="the offer ended")


async def _reminder(session: AsyncSession, claim_id: int, now: datetime) -> Verdict:
    claim = await claims_repo.get(session, claim_id)
    if claim is None or claim.state != ClaimState.CLAIMED.value:
        return Verdict(stale="the place is no longer held")
    return await _before_start(session, claim.order_id, now)


# the kinds of message that can go stale, by the first part of their key (the key
# names the event: bot/services/<step>/notices.py), and the id in its second part; any
# other message is the person's own news and is delivered
RULES: dict[str, Rule] = {
    "order.requested": _review,  # order.requested:{order}:{coordinator}
    "order.overdue": _review,  # order.overdue:{order}:{level}:{coordinator}
    "volunteer.pending": _approval,  # volunteer.pending:{volunteer}:{at}:{coordinator}
    "publish": _open_order,  # publish:{order}:{volunteer} (the Grab button)
    "order.unfilled": _open_order,  # order.unfilled:{order}:{coordinator}
    "claim.offered": _offer,  # claim.offered:{claim}:{at}
    "claim.remind": _reminder,  # claim.remind:{claim}:{hours}
    "order.coming": _before_start,  # order.coming:{order}:{who}
    "order.confirm": _in_service,  # order.confirm:{order}
}


async def verdict(session: AsyncSession, message: OutboxMessage, now: datetime) -> Verdict:
    prefix, _, rest = message.dedup_key.partition(":")
    rule = RULES.get(prefix)
    first = rest.partition(":")[0]
    if rule is None or not first.isdigit():
        return SEND
    return await rule(session, int(first), now)


@dataclass(frozen=True)
class Released:
    delivered: int = 0
    summed: int = 0
    dropped: int = 0


class HeldMessages:
    def __init__(
        self, db: Database, clock: Clock, notifier: Notifier, default_language: str
    ) -> None:
        self.db = db
        self.clock = clock
        self.notifier = notifier
        self.default_language = default_language

    async def release(self, user_id: int) -> Released:
        """The user wrote to the bot: reachable again; their held messages delivered,
        summed up or dropped (see the module). Nothing to do (and one statement) when
        they had not been unreachable, e.g. a second touch that raced the first."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            reachable = await outbox_repo.mark_reachable(session, user_id)
            if reachable is None:
                return Released()
            telegram_id, reason = reachable
            held = await outbox_repo.held_for(session, telegram_id)
            deliver: list[int] = []
            dropped: dict[int, str] = {}
            queues: dict[str, set[int]] = {REVIEW: set(), APPROVAL: set()}
            summed: dict[int, str] = {}
            latest_edit: set[int] = set()
            for message in reversed(held):  # newest first: the last edit of each message
                target = message.payload.get("edit_message_id")
                if message.kind == "edit" and target is not None:
                    if target in latest_edit:
                        dropped[message.id] = "superseded by a later edit of that message"
                        continue
                    latest_edit.add(target)
            for message in held:
                if message.id in dropped:
                    continue
                found = await verdict(session, message, now)
                if found.send:
                    deliver.append(message.id)
                elif found.queue is not None and found.item is not None:
                    queues[found.queue].add(found.item)
                    summed[message.id] = f"summed up in the digest ({found.queue})"
                else:
                    dropped[message.id] = f"not sent on release: {found.stale}"
            stale = sum(1 for why in dropped.values() if why.startswith("not sent"))
            await outbox_repo.release_held(session, deliver)
            await outbox_repo.drop_held(session, {**dropped, **summed})
            if stale or summed:
                person = await recipient(session, user_id, self.default_language)
                digest = WhileAway(
                    person,
                    user_id,
                    now,
                    never_opened=reason == UnreachableReason.NOT_STARTED,
                    to_review=len(queues[REVIEW]),
                    to_approve=len(queues[APPROVAL]),
                    out_of_date=stale,
                    following=len(deliver),
                )
                await self.notifier.notify(session, digest)
        log.info(
            "user %s reachable again: %d held messages delivered, %d summed up, %d dropped",
            user_id,
            len(deliver),
            len(summed),
            len(dropped),
        )
        return Released(len(deliver), len(summed), len(dropped))
