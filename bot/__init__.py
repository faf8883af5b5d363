"""volunteer-bot: a Telegram bot that runs a district's volunteer service."""

__version__ = "0.1.0"

import os as _os

# Opt in to python-telegram-bot's coming behaviour (time periods as timedelta, e.g.
# RetryAfter.retry_after) instead of a deprecation warning on every flood wait.
_os.environ.setdefault("PTB_TIMEDELTA", "1")
