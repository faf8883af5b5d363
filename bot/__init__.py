"""volunteer-bot: a Telegram bot that runs a district's volunteer service."""

__version__ = "0.1.0"
