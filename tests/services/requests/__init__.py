"""tests.services.requests."""
