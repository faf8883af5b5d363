"""handlers.requests."""
