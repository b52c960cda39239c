"""Persistence: SQLAlchemy tables, Alembic migrations, repositories (SQLite or PostgreSQL)."""

from titr.store.db import Store, database_url, open_store

__all__ = ["Store", "database_url", "open_store"]
