"""What the end-to-end tests share: messages as users read them, the coordinator's
review in the chat, and the privacy scan over everything the sandbox saw."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.background import wake_sender
from bot.i18n import Translator
from bot.services.kernel.dto import OrderDTO, UnitDTO
from bot.services.requests.forms import OrderForm
from bot.services.requests.publish import Publication
from sandbox import Sandbox
from sandbox.chat_view import BotMessage
from sandbox.users import SandboxUser
from storage.models import Order
from tests.support.bot import RunningBot
from tests.support.people import add_approved_volunteers


def shown(t: Translator, key: str, n: int | None = None, **values: object) -> str:
    """A message as the user reads it (no markup); a plural one in its form for ``n``."""
    if n is not None or t.is_plural(key):
        if n is None:
            raise TypeError(f"{key} is a plural message: pass n")
        return html.unescape(re.sub(r"<[^>]+>", "", str(t.ngettext(key, n, **values))))
    return html.unescape(re.sub(r"<[^>]+>", "", str(t(key, **values))))


def prompt(t: Translator, key: str) -> str:
    """The start of a message, up to its first placeholder, as the user reads it (of a
    plural message, what all its forms begin with)."""
    forms = t.forms(key) if t.is_plural(key) else (t.raw(key),)
    starts = [form.split("{")[0] for form in forms]
    start = starts[0]
    while not all(s.startswith(start) for s in starts):
        start = start[:-1]
    return html.unescape(re.sub(r"<[^>]+>", "", start)).strip()


def language_code(language: str) -> str:
    """The Telegram language_code of a sandbox user who reads ``language``."""
    return "zh-hans" if language == "zh_CN" else "en"


async def staff(
    bot: RunningBot,
    community_code: str,
    coordinator: int,
    volunteers: Iterable[int] = (),
    language: str = "zh_CN",
    **volunteer_values: Any,
) -> UnitDTO:
    """The community, with ``coordinator`` as its admin and the ``volunteers``
    (Telegram ids) approved there, speaking ``language`` (``volunteer_values``: as
    :func:`add_approved_volunteers` takes them)."""
    await bot.services.coordinators.add_admin(coordinator, community_code, label="test")
    community = await bot.services.org.unit_by_code(community_code)
    assert community is not None
    await add_approved_volunteers(
        bot.db, community.id, tuple(volunteers), language=language, **volunteer_values
    )
    return community


async def publish_activity(
    bot: RunningBot,
    coordinator: int,
    community_code: str,
    starts: datetime,
    *,
    places: int,
    address: str,
    hours: float = 1,
    scope: str = "community",
    category: str = "elderly_visit",
    description: str = "陪老人聊天",
) -> OrderDTO:
    """An activity the coordinator publishes in the community (no review), announced
    at once to the volunteers it is for."""
    unit = await bot.services.org.unit_by_code(community_code)
    assert unit is not None
    order = await bot.services.orders.create_activity(
        await bot.services.users.get(coordinator),
        OrderForm(
            category=category,
            description=description,
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            community_id=unit.id,
            address=address,
            contact_phone="138 0013 8000",
            helpers_requested=places,
        ),
        Publication(places=places, scope=scope),
    )
    wake_sender(bot.app)
    return order


async def serve_activity(
    bot: RunningBot,
    clock: Any,
    community: UnitDTO,
    coordinator: int,
    volunteers: Sequence[int],
    minutes: Sequence[int],
    starts: datetime,
) -> OrderDTO:
    """An activity of the coordinator's in the community with a place for each of the
    volunteers (Telegram ids), grabbed, checked in at ``starts`` and out after each one's
    ``minutes``, then completed by the coordinator (the clock is moved along)."""
    services = bot.services
    boss = await services.users.get(coordinator)
    assert boss is not None
    longest = max(minutes)
    form = OrderForm(
        category="elderly_visit",
        description="重阳节陪老人包饺子",
        starts_at=starts,
        ends_at=starts + timedelta(minutes=longest),
        community_id=community.id,
        address="龙湖东岸社区活动室",
        contact_phone="138 0013 8000",
        helpers_requested=len(volunteers),
    )
    order = await services.orders.create_activity(boss, form, Publication(places=len(volunteers)))
    people = [await services.users.get(tid) for tid in volunteers]
    claims = [(await services.claims.grab(v, order.id)).id for v in people]  # type: ignore[arg-type]
    clock.advance(seconds=(starts - clock.now()).total_seconds())
    for v, claim_id in zip(people, claims, strict=True):
        await services.attendance.check_in(v, claim_id)  # type: ignore[arg-type]
    served = 0
    for m, v, claim_id in sorted(zip(minutes, people, claims, strict=True), key=lambda x: x[0]):
        clock.advance(minutes=m - served)
        served = m
        await services.attendance.check_out(v, claim_id)  # type: ignore[arg-type]
    await services.attendance.confirm_completion(boss, order.id)
    return order


async def approve_in_chat(
    coordinator: SandboxUser, t: Translator, number: str, places: int, guidance: str, rate: float
) -> BotMessage:
    """The coordinator publishes a pending order from /review: ``places`` places (a
    first answer of 0 is refused and asked again), the default ``rate``, any team, the
    guidance, grabbing open now, the community's squad. The review listing it began
    from."""
    await coordinator.command("/review")
    listing = await coordinator.wait_for(number)
    await coordinator.press(t.plain("review.button_approve", number=number))
    await coordinator.wait_for(shown(t, "review.ask_places", max=200))
    await coordinator.send("0")
    await coordinator.wait_for(shown(t, "review.ask_places", max=200))  # asked again
    await coordinator.press(str(places))
    default_rate = t.plain("review.button_default_rate", rate=rate)
    await coordinator.wait_for(predicate=lambda m: any(default_rate in row for row in m.buttons))
    await coordinator.press(default_rate)
    await coordinator.wait_for(shown(t, "review.ask_team"))
    await coordinator.press(t.plain("review.button_any_team"))
    await coordinator.wait_for(shown(t, "review.ask_guidance"))
    await coordinator.send(guidance)
    await coordinator.wait_for(shown(t, "review.ask_opens"))
    await coordinator.press(t.plain("review.button_open_now"))
    await coordinator.wait_for(shown(t, "review.ask_scope"))
    await coordinator.press(t.plain("review.button_scope_community"))
    await coordinator.wait_for(shown(t, "review.approved", number=number))
    return listing


async def give_up_place(
    user: SandboxUser, t: Translator, message: BotMessage | None = None
) -> BotMessage:
    """ "Cancel my place" on ``message`` (else the latest message with it), then "Yes,
    give it up" on the question it asks first; that question."""
    await user.press(t.plain("grab.button_cancel_place"), message=message)
    confirm = t.plain("grab.button_confirm_cancel")
    question = await user.wait_for(predicate=lambda m: any(confirm in row for row in m.buttons))
    await user.press(confirm, message=question)
    return question


def order_secrets(order: Order) -> tuple[str, ...]:
    """What of an order only its coordinators and the volunteers holding a place may
    see: the requester's address and phone and, for someone without Telegram, the
    person helped's."""
    values = (
        order.address,
        order.contact_phone,
        order.beneficiary_address,
        order.beneficiary_phone,
    )
    return tuple(dict.fromkeys(v for v in values if v))


def private_leaks(sandbox: Sandbox, secrets: Iterable[str], entitled: set[int]) -> list[str]:
    """Every message (sent or edited) that carried one of the ``secrets`` to a chat not
    ``entitled`` to it; and the check that the scan saw the secrets at all."""
    secrets = tuple(secrets)
    leaks, seen = [], 0
    for event in sandbox.world.events:
        if event.kind in ("sent", "edited") and event.message is not None:
            content = event.message.content
            if any(secret in content for secret in secrets):
                seen += 1
                if event.chat_id not in entitled:
                    leaks.append(f"{event.chat_id}: {content}")
    assert seen, "the scan saw no message with the secrets: it would prove nothing"
    return leaks
