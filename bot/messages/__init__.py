"""The words: every message the bot writes is built here, in the reader's language,
from the DTOs and notices the services return (services never import this package).

One module per step of the loop, as in ``bot/services/``: ``people``, ``requests``,
``grabs``, ``service_day``; ``common`` holds what they share (times as people read
them, what an order is about, buttons), and ``notifier`` turns a service's notice
(bot/services/kernel/notify.py) into the message the outbox sends."""
