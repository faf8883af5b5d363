"""bot.services.requests."""
