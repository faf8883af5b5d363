"""bot.services.grabs."""
