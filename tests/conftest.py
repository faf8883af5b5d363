"""Shared fixtures live in tests/fixtures/ and are registered here."""

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.sandbox",
    "tests.fixtures.bot",
]
