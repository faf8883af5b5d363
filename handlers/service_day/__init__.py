"""handlers.service_day."""
