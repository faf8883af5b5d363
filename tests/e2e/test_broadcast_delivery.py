"""End to end over HTTP, at scale: a street's coordinator broadcasts to its 3,000
volunteers through the sandbox while it answers some sends with 429 (flood waits), some
with 403 (volunteers who blocked the bot, and one refusal injected) and some with a 5xx
(once, retried; always, for one volunteer: failed). Every reachable volunteer gets it
exactly once, the blocked ones are counted unreachable, and the final report — the
broadcast's figures once a progress round marked it done, and the coordinator's progress
message edited to it — says what the sandbox itself counted."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace

import pytest
from sqlalchemy import select

from bot.background import wake_sender
from bot.i18n import get_translator
from bot.messages.broadcasts import category_name, progress_text
from bot.services.broadcasts.views import Figures
from sandbox import Sandbox
from storage.database import Database
from storage.models import Broadcast
from tests.e2e.test_broadcast import everyone_of
from tests.support.bot import RunningBot, run_bot
from tests.support.chat import prompt, shown
from tests.support.people import add_approved_volunteers

STREET = "longyang"
COMMUNITY = "longyang.longhudongan"
COORDINATOR_ID = 9601
VOLUNTEERS = list(range(300_000, 303_000))
BLOCKED = VOLUNTEERS[:40]  # blocked the bot before the broadcast
REFUSED = VOLUNTEERS[40:45]  # a 403 injected at their send: unreachable as well
FLOODED = VOLUNTEERS[45:48]  # a 429 at their first send
FLAKY = VOLUNTEERS[48:51]  # a 5xx at their first send: retried
BROKEN = VOLUNTEERS[51]  # a 5xx at every send: failed after max_attempts
WORDS = "<b>浓情重阳节</b>·温暖志愿行"
SEEN = "浓情重阳节·温暖志愿行"  # as volunteers read it
SETTLE_TIMEOUT_S = 45


@pytest.fixture
async def fast_bot(sandbox: Sandbox, db: Database) -> AsyncIterator[RunningBot]:
    """The bot with the sender at its fastest and two attempts per copy."""
    delivery = {"rate_per_s": 1000, "per_chat_per_s": 30, "max_attempts": 2, "poll_seconds": 0.05}
    async for running in run_bot(sandbox, db, delivery=delivery):
        yield running


async def eventually(check: Callable[[], Awaitable[bool]], what: str, timeout: float) -> None:
    """Until ``check`` holds (the sender and fan-out run beside the test)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        assert loop.time() < deadline, f"waited {timeout}s for {what}"
        await asyncio.sleep(0.2)


async def test_a_broadcast_to_3000_through_faults_reports_what_the_sandbox_counted(
    fast_bot: RunningBot, sandbox: Sandbox
) -> None:
    bot, t = fast_bot, get_translator("en")
    services = bot.services
    await services.coordinators.add_admin(COORDINATOR_ID, STREET, label="test")
    here = await services.org.unit_by_code(COMMUNITY)
    street = await services.org.unit_by_code(STREET)
    assert here and street
    await add_approved_volunteers(bot.db, here.id, VOLUNTEERS, language="en")
    for tid in VOLUNTEERS:
        sandbox.user(tid, language_code="en")
    for tid in BLOCKED:
        sandbox.user(tid).block()
    for tid in REFUSED:
        sandbox.faults.add(kind="403", method="sendMessage", chat_id=tid, times=1)
    for tid in FLOODED:
        sandbox.faults.add(kind="429", method="sendMessage", chat_id=tid, retry_after=1, times=1)
    for tid in FLAKY:
        sandbox.faults.add(kind="5xx", method="sendMessage", chat_id=tid, status=502, times=1)
    sandbox.faults.add(kind="5xx", method="sendMessage", chat_id=BROKEN, status=503)

    c = sandbox.user(COORDINATOR_ID, first_name="罗杰", language_code="en")
    await c.command("/broadcast")
    await c.wait_for(shown(t, "broadcast.ask_text"))
    await c.send(WORDS)
    await c.wait_for(shown(t, "broadcast.ask_photo"))
    await c.press(t.plain("broadcast.button_no_photo"))
    await c.wait_for(shown(t, "broadcast.ask_category"))
    await c.press(category_name(t, "activities"))
    await everyone_of(c, t, street, "en")
    await c.wait_for(prompt(t, "broadcast.confirm"))
    await c.press(t.plain("broadcast.button_send", count=len(VOLUNTEERS)))
    await c.wait_for(prompt(t, "broadcast.sent"))
    progress_message = await c.wait_for(prompt(t, "broadcast.progress_title"))
    async with bot.db.read() as s:
        [broadcast] = await s.scalars(select(Broadcast))
    bid = broadcast.id

    async def settled() -> bool:  # every copy written and tried
        p = await services.broadcasts.progress(bid)
        return p.written == len(VOLUNTEERS) and not p.figures.waiting

    await eventually(settled, "every copy written and tried", SETTLE_TIMEOUT_S)
    await services.broadcasts.report()  # the round that marks it done (if the job's did not)
    wake_sender(bot.app)
    final = await services.broadcasts.progress(bid)
    assert final.finished and final.broadcast.state == "done"

    # what the sandbox delivered: each reachable volunteer once, nobody else
    delivered = sandbox.delivered("sendMessage")
    unreachable = {*BLOCKED, *REFUSED}
    reachable = [tid for tid in VOLUNTEERS if tid not in unreachable and tid != BROKEN]
    assert [tid for tid in reachable if delivered.get(tid) != {SEEN: 1}] == []
    assert [tid for tid in (*unreachable, BROKEN) if tid in delivered] == []
    got = sum(delivered.get(tid, {}).get(SEEN, 0) for tid in VOLUNTEERS)
    assert [r for r in sandbox.faults.rules if r.times is not None] == []  # all were hit

    # the report's figures are the sandbox's own counts
    assert final.written == len(VOLUNTEERS)
    assert final.figures == Figures(delivered=got, unreachable=len(unreachable), failed=1)
    assert got == len(reachable)
    [(reason, failed)] = final.failures
    assert failed == 1 and reason.startswith("gave up after 2 attempts"), reason

    # the coordinator's progress message, edited to the report (its last edit)
    async with bot.db.read() as s:
        done = await s.get(Broadcast, bid)
        assert done is not None and done.finished_at is not None
    expected = plain(
        progress_text(t, replace(final, now=done.finished_at), services.broadcasts.timezone)
    )
    words = shown(  # under a minute and a half: "about 1 min"
        t, "broadcast.report", id=bid, minutes=1, delivered=got, unreachable=45, failed=1
    )
    assert expected == words + "\n" + plain(t("broadcast.report_failure", reason=reason, n=1))
    pid = progress_message.message_id
    report = await c.wait_for(predicate=lambda m: m.message_id == pid and m.text == expected)
    assert report.buttons == []
    edits = [e for e in c.chat.events if e.kind == "edited" and e.message_id == pid]
    assert edits[-1].message is not None and edits[-1].message.text == expected
    [now] = [m for m in c.messages if m.message_id == pid]
    assert now.text == expected


def plain(markup: object) -> str:
    """Markup as the user reads it (tags gone, entities unescaped)."""
    return html.unescape(re.sub(r"<[^>]+>", "", str(markup)))
