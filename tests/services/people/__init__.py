"""tests.services.people."""
