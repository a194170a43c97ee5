"""What the MongoDB repositories share: collections, indexes, the clock, paging.

Documents use the model's string id as `_id`. Every query names `user_id`. A context
that is being deleted carries `deleting: true` and, with everything inside it, is
treated as absent by every read (see `MongoContextRepository.delete`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Final, TypeVar

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from my_flow_api.errors import CONTEXT_NOT_FOUND, NotFoundError
from my_flow_api.models.common import Page, PageParams, utcnow

Doc = dict[str, Any]
T = TypeVar("T")

NEWEST_FIRST: Final = [("created_at", DESCENDING), ("_id", DESCENDING)]

INDEXES: Final[dict[str, list[IndexModel]]] = {
    "contexts": [
        IndexModel([("user_id", ASCENDING), ("created_at", DESCENDING)], name="user_created"),
        IndexModel(
            [("deleting", ASCENDING)],
            name="deleting",
            partialFilterExpression={"deleting": True},
        ),
    ],
    "flows": [
        IndexModel(
            [("user_id", ASCENDING), ("context_id", ASCENDING), ("created_at", DESCENDING)],
            name="user_context_created",
        ),
        IndexModel(
            [("user_id", ASCENDING), ("context_id", ASCENDING), ("normalized_title", ASCENDING)],
            name="user_context_title",
        ),
        # At most one open flow of a context holds each normalised title in `open_title`:
        # the unique index makes create_unique race-free without a transaction.
        IndexModel(
            [("user_id", ASCENDING), ("context_id", ASCENDING), ("open_title", ASCENDING)],
            name="user_context_open_title_unique",
            unique=True,
            partialFilterExpression={"open_title": {"$exists": True}},
        ),
    ],
    "conversations": [
        IndexModel(
            [("user_id", ASCENDING), ("context_id", ASCENDING), ("created_at", DESCENDING)],
            name="user_context_created",
        ),
    ],
    "flow_changes": [
        IndexModel(
            [("user_id", ASCENDING), ("context_id", ASCENDING), ("created_at", DESCENDING)],
            name="user_context_created",
        ),
    ],
    "messages": [
        IndexModel(
            [("conversation_id", ASCENDING), ("seq", ASCENDING)],
            name="conversation_seq",
            unique=True,
        ),
        IndexModel([("user_id", ASCENDING), ("context_id", ASCENDING)], name="user_context"),
    ],
}
"""Every index of the store, by collection; `create_indexes` with these is idempotent."""


def to_storage_time(value: datetime) -> datetime:
    """`value` as aware UTC cut to milliseconds, the precision BSON dates keep."""
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond - value.microsecond % 1000)


class MillisecondClock:
    """Aware UTC timestamps at BSON precision, strictly increasing within this process.

    BSON dates keep milliseconds, so two writes in the same millisecond would tie and
    "newest first" would be ambiguous; each reading is at least 1 ms after the last.
    """

    def __init__(self) -> None:
        self._last: datetime | None = None

    def now(self) -> datetime:
        """The current time (see the class docstring)."""
        now = to_storage_time(utcnow())
        if self._last is not None and now <= self._last:
            now = self._last + timedelta(milliseconds=1)
        self._last = now
        return now


clock = MillisecondClock()


class Collections:
    """The store's collections, and the liveness check every child read goes through."""

    def __init__(self, db: AsyncDatabase[Doc]) -> None:
        self.db = db
        self.contexts: AsyncCollection[Doc] = db["contexts"]
        self.flows: AsyncCollection[Doc] = db["flows"]
        self.conversations: AsyncCollection[Doc] = db["conversations"]
        self.messages: AsyncCollection[Doc] = db["messages"]
        self.flow_changes: AsyncCollection[Doc] = db["flow_changes"]

    async def ensure_indexes(self) -> None:
        """Create every index; a no-op for indexes that already exist."""
        for name, models in INDEXES.items():
            await self.db[name].create_indexes(models)

    async def context_is_live(self, user_id: str, context_id: str) -> bool:
        """True if the context exists, is the user's and is not being deleted."""
        found = await self.contexts.find_one(
            {"_id": context_id, "user_id": user_id, "deleting": False}, {"_id": 1}
        )
        return found is not None

    async def live_context_name(self, user_id: str, context_id: str) -> str | None:
        """The name of the context if it is live and the user's, else None."""
        found = await self.contexts.find_one(
            {"_id": context_id, "user_id": user_id, "deleting": False}, {"name": 1}
        )
        return None if found is None else str(found["name"])

    async def require_context(self, user_id: str, context_id: str) -> None:
        """Raise NotFoundError unless the context is live and the user's."""
        if not await self.context_is_live(user_id, context_id):
            raise NotFoundError(CONTEXT_NOT_FOUND)

    async def page(
        self,
        collection: AsyncCollection[Doc],
        query: Doc,
        page: PageParams,
        convert: Callable[[Doc], T],
    ) -> Page[T]:
        """One page of `query`, newest first, with the total count."""
        total = await collection.count_documents(query)
        cursor = collection.find(query).sort(NEWEST_FIRST).skip(page.offset).limit(page.limit)
        items = [convert(doc) async for doc in cursor]
        return Page(items=items, total=total, limit=page.limit, offset=page.offset)
