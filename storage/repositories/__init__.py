"""Queries, grouped by table. Functions take the caller's session, add and flush, and
never commit: the unit of work (storage.database.Database.transaction) does."""
