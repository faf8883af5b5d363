"""Storage: SQLAlchemy models, the engine and unit of work, repositories, migrations.

Knows SQL and nothing about chats: nothing here imports ``telegram``.
"""
