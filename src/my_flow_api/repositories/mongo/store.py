"""The MongoDB store: one `AsyncMongoClient`, its repositories and its lifecycle."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pymongo
from pymongo import AsyncMongoClient
from pymongo.errors import ConfigurationError, PyMongoError

from my_flow_api.config import ConfigError, Settings
from my_flow_api.repositories.mongo.base import Collections, Doc
from my_flow_api.repositories.mongo.contexts import MongoContextRepository
from my_flow_api.repositories.mongo.conversations import MongoConversationRepository
from my_flow_api.repositories.mongo.errors import guarded
from my_flow_api.repositories.mongo.flows import MongoFlowRepository

DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 5_000
"""How long an operation waits for a usable server before the store reports unavailable."""

PING_TIMEOUT_SECONDS = 2.0
"""The longest a health check waits for the server (shorter than the selection timeout)."""

APP_NAME = "my-flow-api"


def make_client(
    uri: str, *, server_selection_timeout_ms: int | None = None
) -> AsyncMongoClient[Doc]:
    """A client that reads and writes aware UTC datetimes and gives up on a dead server fast.

    The timeout is, by priority: the argument, a `serverSelectionTimeoutMS` (and
    `connectTimeoutMS`) in the URI, then `DEFAULT_SERVER_SELECTION_TIMEOUT_MS`.
    Raises ConfigError, without echoing the URI, if the URI is not valid.
    """
    in_uri = uri.lower()
    options: dict[str, Any] = {"tz_aware": True, "tzinfo": UTC, "appname": APP_NAME}
    timeout = server_selection_timeout_ms
    if timeout is not None or "serverselectiontimeoutms=" not in in_uri:
        options["serverSelectionTimeoutMS"] = timeout or DEFAULT_SERVER_SELECTION_TIMEOUT_MS
    if timeout is not None or "connecttimeoutms=" not in in_uri:
        options["connectTimeoutMS"] = timeout or DEFAULT_SERVER_SELECTION_TIMEOUT_MS
    try:
        return AsyncMongoClient(uri, **options)
    except ConfigurationError:
        raise ConfigError("MONGODB_URI is not a valid MongoDB connection string") from None


class MongoStore:
    """`Store` on MongoDB (a standalone server, a replica set or Atlas; no transactions needed).

    Build it with `connect`, which also creates the indexes and finishes any context
    deletion a crash interrupted. The constructor alone does no I/O.
    """

    def __init__(self, client: AsyncMongoClient[Doc], db_name: str) -> None:
        self._client = client
        self._collections = Collections(client[db_name])
        self._contexts = MongoContextRepository(self._collections)
        self._flows = MongoFlowRepository(self._collections)
        self._conversations = MongoConversationRepository(self._collections)

    @classmethod
    async def connect(
        cls, settings: Settings, *, server_selection_timeout_ms: int | None = None
    ) -> MongoStore:
        """Connect to `MONGODB_URI`, database `MONGODB_DB_NAME`, and prepare the database.

        Raises ConfigError if `MONGODB_URI` is unset or invalid, StoreUnavailableError if
        the server cannot be reached within the server selection timeout.
        """
        if settings.MONGODB_URI is None:
            raise ConfigError("MONGODB_URI is required for the MongoDB store")
        client = make_client(
            settings.MONGODB_URI.get_secret_value(),
            server_selection_timeout_ms=server_selection_timeout_ms,
        )
        store = cls(client, settings.MONGODB_DB_NAME)
        try:
            await store.prepare()
        except BaseException:
            await client.close()
            raise
        return store

    @guarded
    async def prepare(self) -> None:
        """Create the indexes (idempotent) and finish interrupted context deletions."""
        await self._collections.ensure_indexes()
        await self._contexts.purge_pending()

    @property
    def contexts(self) -> MongoContextRepository:
        """The contexts repository."""
        return self._contexts

    @property
    def flows(self) -> MongoFlowRepository:
        """The flows repository."""
        return self._flows

    @property
    def conversations(self) -> MongoConversationRepository:
        """The conversations repository (messages included)."""
        return self._conversations

    @property
    def collections(self) -> Collections:
        """The underlying collections, for maintenance and tests."""
        return self._collections

    @property
    def client(self) -> AsyncMongoClient[Doc]:
        """The underlying client."""
        return self._client

    async def ping(self) -> bool:
        """True when the server answers a ping within PING_TIMEOUT_SECONDS; never raises."""
        try:
            with pymongo.timeout(PING_TIMEOUT_SECONDS):
                await self._client.admin.command("ping")
        except PyMongoError:
            return False
        return True

    async def close(self) -> None:
        """Close the client and its connection pool."""
        await self._client.close()
