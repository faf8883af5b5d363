"""tests.services.grabs."""
