"""bot.services.service_day."""
