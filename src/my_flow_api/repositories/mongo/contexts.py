"""Contexts in MongoDB, and the cascade that deletes a context with everything in it.

MongoDB has no foreign keys, and multi-document transactions need a replica set, so the
cascade is made crash-safe by ordering instead:

1. `mark_deleting` sets `deleting: true` on the context. From then on every read treats
   the context and all its flows, conversations and messages as absent.
2. `purge` deletes the messages, conversations and flows, then the context itself.

A crash between or during the steps leaves only invisible leftovers, which the next
delete of the same context or `purge_pending` (run by `MongoStore.connect`) removes.
"""

from __future__ import annotations

from typing import Any

from pymongo import ReturnDocument

from my_flow_api.models.common import Page, PageParams, new_id
from my_flow_api.models.context import Context, ContextCreate, ContextUpdate
from my_flow_api.repositories.mongo.base import Collections, Doc, clock
from my_flow_api.repositories.mongo.errors import guarded


def to_context(doc: Doc) -> Context:
    """The model of a stored context document."""
    return Context.model_validate({**doc, "id": doc["_id"]})


class MongoContextRepository:
    """`ContextRepository` on MongoDB."""

    def __init__(self, collections: Collections) -> None:
        self._c = collections

    @guarded
    async def create(self, user_id: str, data: ContextCreate) -> Context:
        """Store a new context of the user."""
        now = clock.now()
        doc: Doc = {
            "_id": new_id(),
            "user_id": user_id,
            "name": data.name,
            "color": data.color,
            "icon": data.icon,
            "deleting": False,
            "created_at": now,
            "updated_at": now,
        }
        await self._c.contexts.insert_one(doc)
        return to_context(doc)

    @guarded
    async def get_by_id(self, context_id: str, user_id: str) -> Context | None:
        """The context if it exists and belongs to the user, else None."""
        doc = await self._c.contexts.find_one(self._live(context_id, user_id))
        return None if doc is None else to_context(doc)

    @guarded
    async def list(self, user_id: str, page: PageParams) -> Page[Context]:
        """The user's contexts, newest first."""
        query: Doc = {"user_id": user_id, "deleting": False}
        return await self._c.page(self._c.contexts, query, page, to_context)

    @guarded
    async def update(self, context_id: str, user_id: str, data: ContextUpdate) -> Context | None:
        """Change the fields sent (a null is ignored: no context field is nullable)."""
        changes: dict[str, Any] = {
            k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None
        }
        changes["updated_at"] = clock.now()
        doc = await self._c.contexts.find_one_and_update(
            self._live(context_id, user_id),
            {"$set": changes},
            return_document=ReturnDocument.AFTER,
        )
        return None if doc is None else to_context(doc)

    @guarded
    async def delete(self, context_id: str, user_id: str) -> bool:
        """Delete the context with its flows and conversations; False if it was not there.

        A context left half-deleted by a crash is not visible, so deleting it again
        finishes the job and still answers False.
        """
        marked = await self.mark_deleting(context_id, user_id)
        if marked is None:
            return False
        await self.purge(context_id, user_id)
        return marked

    @guarded
    async def mark_deleting(self, context_id: str, user_id: str) -> bool | None:
        """Step 1 of the cascade: hide the context and its children.

        Returns True if the context was visible until now, False if it was already being
        deleted, None if there is no such context of the user.
        """
        before = await self._c.contexts.find_one_and_update(
            {"_id": context_id, "user_id": user_id},
            {"$set": {"deleting": True}},
            projection={"deleting": 1},
            return_document=ReturnDocument.BEFORE,
        )
        if before is None:
            return None
        return before.get("deleting") is not True

    @guarded
    async def purge(self, context_id: str, user_id: str) -> None:
        """Step 2 of the cascade: remove the children, then the hidden context itself."""
        children: Doc = {"user_id": user_id, "context_id": context_id}
        await self._c.messages.delete_many(children)
        await self._c.conversations.delete_many(children)
        await self._c.flow_changes.delete_many(children)
        await self._c.flows.delete_many(children)
        await self._c.contexts.delete_one({"_id": context_id, "user_id": user_id, "deleting": True})

    @guarded
    async def purge_pending(self) -> int:
        """Finish every cascade a crash interrupted; returns how many contexts it removed."""
        pending = self._c.contexts.find({"deleting": True}, {"_id": 1, "user_id": 1})
        count = 0
        async for doc in pending:
            await self.purge(doc["_id"], doc["user_id"])
            count += 1
        return count

    @staticmethod
    def _live(context_id: str, user_id: str) -> Doc:
        return {"_id": context_id, "user_id": user_id, "deleting": False}
