"""handlers.people."""
