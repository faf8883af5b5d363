"""bot.services.kernel."""
