"""Every notice a service can emit (bot/services/<step>/notices.py) has its builder in
bot/messages/, and every builder is for a notice."""

from __future__ import annotations

import dataclasses
import importlib
import inspect

from bot.messages.notifier import BUILDERS

STEPS = (
    "people",
    "requests",
    "grabs",
    "service_day",
    "points",
    "ratings",
    "broadcasts",
    "recognition",
)


def notice_types() -> set[type]:
    found = set()
    for step in STEPS:
        module = importlib.import_module(f"bot.services.{step}.notices")
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if value.__module__ == module.__name__ and dataclasses.is_dataclass(value):
                found.add(value)
    return found


def test_every_notice_has_a_builder() -> None:
    notices = notice_types()
    assert len(notices) > 30
    assert sorted(t.__name__ for t in notices - set(BUILDERS)) == []
    assert sorted(t.__name__ for t in set(BUILDERS) - notices) == []
