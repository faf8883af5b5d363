"""tests.services.org."""
