"""handlers.grabs."""
