"""tests.services.kernel."""
