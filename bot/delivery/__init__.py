"""Durable delivery: the outbox sender and the Telegram transport it sends through."""
