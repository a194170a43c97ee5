"""The SQL store: SQLite (embedded default) and PostgreSQL, on SQLAlchemy 2 async."""

from my_flow_api.repositories.sql.store import SqlStore

__all__ = ["SqlStore"]
