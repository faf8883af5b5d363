"""bot.services.people."""
