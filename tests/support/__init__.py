"""What the tests share: fixtures (database, sandbox, bot, people, stopping) and
helpers for services (services.py), orders (orders.py) and chats (chat.py)."""
