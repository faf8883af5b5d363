"""tests.services.service_day."""
