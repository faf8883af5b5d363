"""bot.services.org.units."""
