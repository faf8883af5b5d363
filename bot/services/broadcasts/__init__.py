"""Broadcasts: a notice for a whole audience (today an order's announcement), as a
campaign committed at once and written to the outbox page by page."""
