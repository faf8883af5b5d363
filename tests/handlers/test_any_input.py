"""Whatever a person sends, the bot answers kindly (issue 12, item 2): arbitrary callback
data on every registered button pattern, and arbitrary text (or a press of the flow's
own buttons with any action) at every step of every flow, through the real Application
as ``handlers.register`` builds it. Nothing may reach the error handler, and every
callback query is answered exactly once (as the sandbox recorded the bot's
answerCallbackQuery calls).

The patterns and the steps are read from what is registered (``handlers.register``'s
Application, and the FlowRegistry it keeps in its ``bot_data``), so a new feature's
buttons and a new flow's steps are covered without a list to keep. Hypothesis runs a
fixed number of examples, derandomized (the same ones on every run), without an example
database, so the tests take the same few seconds in CI each time; a sweep puts a few
unexpected answers to every pattern and every step at least once, which random draws
do not promise.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram.ext import CallbackQueryHandler

from bot.services.kernel.dto import UserDTO
from bot.services.requests.publish import Publication
from handlers import FEATURES
from handlers.flows.engine import REGISTRY_KEY, FlowRegistry
from handlers.requests.review_edit import edit_data
from sandbox import BotMessage
from storage.types import ID_MAX
from tests.handlers.conftest import Harness, Person
from tests.support.orders import request_form
from tests.support.services import COMMUNITY, DISTRICT, START, form

EXAMPLES = 200
SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# ids and numbers a forger would try: real ones, small ones, the edges of 64 bits, and
# digits that are not ASCII (superscripts, full-width, Arabic-Indic)
NUMBERS = st.one_of(
    st.integers(-3, 40),
    st.sampled_from([ID_MAX, ID_MAX + 1, 10**20, -(2**63) - 1, 2**31, 2**32]),
)
WORDS = st.sampled_from(
    [
        "", " ", "²", "１２", "٣", " 1", "1_0", "+1", "-0", "0x1", "1e3", "nan",
        "p", "a", "c", "n", "t", "s", "pick", "open", "up", "edit", "save", "confirm",
        "toggle", "skip", "done", "agree", "default", "now", "back", "cancel",
        "appoint", "phone", "name", "home", "grid", "teams", "community", "street",
        "zh_CN", "en", "fr", "volunteer", "resident", "orders", "me", "request",
        "elderly_visit", "2026-03-02", "9999-12-31", "0800-1000", "behalf", "other",
    ]
)  # fmt: skip
PARTS = st.one_of(NUMBERS.map(str), WORDS, st.text(max_size=10))
TEXTS = st.one_of(
    st.text(min_size=1, max_size=60),
    NUMBERS.map(str),
    WORDS.filter(bool),
    st.sampled_from(
        [
            "99999999999999999999",
            "@nobody",
            "@",
            "2026-03-05 14:00-16:00",
            "2026-03-05 14:00",
            "14:00-16:00",
            "23:00-01:00",
            "13800138000",
            "HY000001",
            "x" * 5000,
            "\u202eevil\u202c",
            "\u2066isolate\u2069",
        ]
    ),
)


def fits(data: str) -> bool:
    return 1 <= len(data.encode()) <= 64  # what Telegram lets a button carry


def prefix_of(pattern: re.Pattern[str]) -> str:
    """``gr`` from ``^gr(:|$)`` (bot.callback_data.pattern), ``f`` from ``^f:``."""
    match = re.fullmatch(r"\^(.*?)(?:\(:\|\$\)|:)", pattern.pattern)
    assert match, pattern.pattern
    return re.sub(r"\\(.)", r"\1", match.group(1))


def presses_for(pattern: re.Pattern[str] | None) -> st.SearchStrategy[str]:
    """Callback data this pattern takes: its prefix with any parts, or anything the
    regular expression matches; for the catch-all, any data at all."""
    if pattern is None:
        return st.text(min_size=1, max_size=64).filter(fits)
    structured = st.lists(PARTS, max_size=4).map(lambda ps: ":".join([prefix_of(pattern), *ps]))
    return st.one_of(structured, st.from_regex(pattern)).filter(fits)


@dataclass
class World:
    harness: Harness
    power: Person  # a coordinator who is also an approved volunteer and a resident
    stranger: Person  # wrote once, never registered
    on_screen: dict[int, BotMessage]  # a message of the bot in each one's chat
    flow_data: dict[str, Any]  # enough for every step of every flow to ask its question
    errors: list[logging.LogRecord]

    def people(self) -> list[Person]:
        return [self.power, self.stranger]

    async def dto(self, person: Person) -> UserDTO:
        return await self.harness.services.users.get(person.id)


class Collect(logging.Handler):
    def __init__(self, into: list[logging.LogRecord]) -> None:
        super().__init__()
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record)


@pytest.fixture
def errors() -> Iterator[list[logging.LogRecord]]:
    """What reached the one error handler (handlers/errors.py logs each)."""
    records: list[logging.LogRecord] = []
    handler = Collect(records)
    logger = logging.getLogger("volunteer_bot.errors")
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)


@pytest.fixture
async def world(harness: Harness, errors: list[logging.LogRecord]) -> World:
    s, org = harness.services, harness.org
    await s.coordinators.add_admin(3000, DISTRICT, label="test")
    admin = await s.users.get(3000)
    power, stranger = harness.person(3001, "Power"), harness.person(3002, "Stranger", "en")
    await power.send("/help")
    await stranger.send("/help")
    me = await s.users.get(power.id)
    await s.volunteers.register(me.id, form(org, real_name="<b>Mal</b> & <i>lory</i>"))
    await s.volunteers.decide(admin, me.id, True)
    await s.users.set_home_community(me.id, org[COMMUNITY].id)
    await s.coordinators.add_admin(power.id, COMMUNITY, label="test")
    me = await s.users.get(power.id)

    pending = await s.orders.create_request(me, request_form(org))
    starts = START + timedelta(days=1)
    published = await s.orders.create_activity(
        admin,
        request_form(org, starts_at=starts, ends_at=starts + timedelta(hours=2)),
        Publication(places=3),
    )
    claim = await s.claims.grab(me, published.id)
    flow_data: dict[str, Any] = {
        **edit_data(pending, s.orders.timezone),
        "street_id": org[COMMUNITY].parent_id,
        "community_has_grids": True,
        "team_ids": [org.teams[0].id],
        "name": "王芳",
        "phone_verified": False,
        "title": "浓情重阳节·温暖志愿行",
        "consent": True,
        "grid_id": None,
        "claim": claim.id,
        "new_minutes": 30,
        "minutes": 0,
        "telegram_id": stranger.id,
        "unit_id": org.grid(1).id,
        "parent_id": None,
        "places": 2,
        "rate": None,
        "team": None,
        "guidance": None,
        "opens": None,
        "scope": "community",
    }
    [profile] = await power.send("/me")  # a message with buttons to press on
    [languages] = await stranger.send("/lang")
    errors.clear()
    return World(
        harness,
        power,
        stranger,
        {power.id: profile, stranger.id: languages},
        flow_data,
        errors,
    )


def callback_patterns(harness: Harness) -> list[re.Pattern[str] | None]:
    patterns = []
    for handler in harness.app.handlers[FEATURES]:
        if isinstance(handler, CallbackQueryHandler):
            pattern = handler.pattern
            assert pattern is None or isinstance(pattern, re.Pattern), pattern
            patterns.append(pattern)
    assert len(patterns) > 20  # every feature's buttons, the flows' and the catch-all
    return patterns


async def press(world: World, person: Person, data: str) -> None:
    """A press with ``data`` on a message of the bot; answered exactly once, and
    nothing for the error handler."""
    sandbox = world.harness.sandbox
    await person.process(person.press_update_data(world.on_screen[person.id], data))
    assert person.last_press is not None
    answers = [
        call
        for call in sandbox.calls("answerCallbackQuery")
        if str(call.params.get("callback_query_id")) == person.last_press.id
    ]
    assert [call.ok for call in answers] == [True], (data, answers)
    assert world.errors == [], (data, world.errors)


async def in_flow(world: World, person: Person, flow: str, step: str) -> int:
    """Put ``person`` at ``step`` of ``flow`` (as if they had answered up to it): the nonce
    of its buttons."""
    user = await world.dto(person)
    state = await world.harness.services.flows.save(user.id, flow, step, world.flow_data)
    return state.nonce


def flow_steps(harness: Harness) -> list[tuple[str, str]]:
    """Every step of every flow, as ``handlers.register`` registered them."""
    flows: FlowRegistry = harness.app.bot_data[REGISTRY_KEY]
    return [(flow.name, step.name) for flow in flows for step in flow.steps]


@pytest.mark.backends("sqlite", "postgresql")
@SETTINGS
@given(data=st.data())
async def test_any_press_on_any_button_pattern(world: World, data: st.DataObject) -> None:
    person = data.draw(st.sampled_from(world.people()), label="who")
    pattern = data.draw(st.sampled_from(callback_patterns(world.harness)), label="pattern")
    callback = data.draw(presses_for(pattern), label="data")
    await press(world, person, callback)


@pytest.mark.backends("sqlite", "postgresql")
@SETTINGS
@given(data=st.data())
async def test_any_answer_at_any_step_of_any_flow(world: World, data: st.DataObject) -> None:
    person = data.draw(st.sampled_from(world.people()), label="who")
    flow, step = data.draw(st.sampled_from(flow_steps(world.harness)), label="step")
    nonce = await in_flow(world, person, flow, step)
    if data.draw(st.booleans(), label="press"):
        action, arg = data.draw(st.tuples(WORDS, PARTS), label="button")
        callback = f"f:{nonce}:{action}:{arg}"
        if fits(callback):
            await press(world, person, callback)
        return
    text = data.draw(TEXTS, label="text")
    await person.send(text)
    assert world.errors == [], (flow, step, text, world.errors)


# a few answers no step expects, and presses no button carries: each pattern and each
# step gets them at least once (the tests above draw patterns and steps at random)
SWEEP_TEXTS = ["99999999999999999999", "\u202e<b>x</b> &\u202c" * 300]
SWEEP_BUTTONS = [("pick", str(ID_MAX + 1)), ("nothing", "²")]


def sweep_presses(pattern: re.Pattern[str] | None) -> list[str]:
    prefix = "zz" if pattern is None else prefix_of(pattern)
    return [f"{prefix}:{ID_MAX + 1}", f"{prefix}:1:²:-1"]


@pytest.mark.backends("sqlite", "postgresql")
async def test_every_button_pattern_and_every_step_at_least_once(world: World) -> None:
    for pattern in callback_patterns(world.harness):
        for callback in sweep_presses(pattern):
            for person in world.people():
                await press(world, person, callback)
    person = world.power  # who may be in every flow (the stranger is drawn above)
    for flow, step in flow_steps(world.harness):
        for text in SWEEP_TEXTS:
            await in_flow(world, person, flow, step)
            await person.send(text)
            assert world.errors == [], (flow, step, text, world.errors)
        for action, arg in SWEEP_BUTTONS:
            nonce = await in_flow(world, person, flow, step)
            await press(world, person, f"f:{nonce}:{action}:{arg}")
