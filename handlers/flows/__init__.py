"""handlers.flows."""
