"""Shared fixtures live in tests/support/ (with the helpers tests share) and are
registered here."""

pytest_plugins = [
    "tests.support.database",
    "tests.support.sandbox",
    "tests.support.bot",
]
