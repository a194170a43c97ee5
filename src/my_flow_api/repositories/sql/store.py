"""`SqlStore`: the SQL backend (SQLite or PostgreSQL) behind the `Store` protocol."""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from my_flow_api.repositories.sql.contexts import SqlContextRepository
from my_flow_api.repositories.sql.conversations import SqlConversationRepository
from my_flow_api.repositories.sql.engine import CONNECT_TIMEOUT_SECONDS, Database, make_engine
from my_flow_api.repositories.sql.flows import SqlFlowRepository

log = structlog.get_logger(__name__)

PING_TIMEOUT_SECONDS = CONNECT_TIMEOUT_SECONDS + 1.0


class SqlStore:
    """Contexts, flows and conversations in one SQL database.

    Build it with `SqlStore.from_url(url)` on a database whose schema is current
    (`my_flow_api.repositories.factory.create_store` checks or migrates first). Each repository call
    runs in its own short transaction, so the store is safe to share across requests
    and long-lived streams.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._db = Database(engine)
        self._contexts = SqlContextRepository(self._db)
        self._flows = SqlFlowRepository(self._db)
        self._conversations = SqlConversationRepository(self._db)

    @classmethod
    def from_url(cls, url: str) -> SqlStore:
        """A store on `url` (`sqlite+aiosqlite://…` or `postgresql+asyncpg://…`); no I/O yet."""
        return cls(make_engine(url))

    @property
    def engine(self) -> AsyncEngine:
        """The underlying engine (for migrations checks and tests)."""
        return self._db.engine

    @property
    def contexts(self) -> SqlContextRepository:
        """Contexts of every user, scoped per call."""
        return self._contexts

    @property
    def flows(self) -> SqlFlowRepository:
        """Flows of every user, scoped per call."""
        return self._flows

    @property
    def conversations(self) -> SqlConversationRepository:
        """Conversations and messages of every user, scoped per call."""
        return self._conversations

    async def ping(self) -> bool:
        """True when the database answers a trivial query within a few seconds."""
        try:
            async with asyncio.timeout(PING_TIMEOUT_SECONDS), self._db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:  # any failure means "not answering" to a health check
            log.warning("database ping failed", error_type=type(exc).__name__)
            return False
        return True

    async def close(self) -> None:
        """Close every pooled connection."""
        await self._db.engine.dispose()
