"""Flows in MongoDB, with race-free de-duplication by normalised title.

An open flow may hold its normalised title in `open_title`; a unique index on
(user_id, context_id, open_title), partial to documents that have the field, lets at
most one open flow of a context hold each title. `create_unique` first looks for any
open flow with the title (the fast, common answer) and then inserts *holding* the title,
so two concurrent calls cannot both succeed: the second insert fails with a duplicate
key and answers None. `create` (a flow made by hand) may duplicate an open title: it
tries to hold the title and, if another flow holds it, is stored without holding it.
A holder that is completed, renamed or deleted hands the title on to another open flow.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from my_flow_api.models.common import Page, PageParams, new_id
from my_flow_api.models.flow import Flow, FlowCreate, FlowUpdate, normalize_title
from my_flow_api.models.flow_change import FlowChange, FlowChangeOp, FlowEdit, TurnPlan, TurnWrite
from my_flow_api.repositories.mongo import flow_changes as changes
from my_flow_api.repositories.mongo.base import (
    NEWEST_FIRST,
    Collections,
    Doc,
    clock,
    to_storage_time,
)
from my_flow_api.repositories.mongo.errors import guarded

_NULLABLE = ("description", "due_date")
_REQUIRED = ("title", "priority", "reminder_enabled")


def to_flow(doc: Doc) -> Flow:
    """The model of a stored flow document."""
    due = doc.get("due_date")
    if due is not None:
        due += timedelta(microseconds=doc.get("due_date_us", 0))
    return Flow.model_validate({**doc, "id": doc["_id"], "due_date": due})


def _due_fields(value: datetime | None) -> Doc:
    """`due_date` as a BSON date (milliseconds) plus the microseconds BSON cannot keep.

    The date stays queryable and sortable; `to_flow` adds `due_date_us` back, so a due
    date round-trips exactly as in the other stores.
    """
    if value is None:
        return {"due_date": None, "due_date_us": 0}
    stored = to_storage_time(value)
    return {"due_date": stored, "due_date_us": value.microsecond % 1000}


class MongoFlowRepository:
    """`FlowRepository` on MongoDB."""

    def __init__(self, collections: Collections) -> None:
        self._c = collections

    @guarded
    async def create(self, user_id: str, context_id: str, data: FlowCreate) -> Flow:
        """Create a flow; raises NotFoundError if the context is not the user's."""
        await self._c.require_context(user_id, context_id)
        doc = self._new_doc(user_id, context_id, data)
        try:
            await self._c.flows.insert_one(doc)
        except DuplicateKeyError:
            del doc["open_title"]
            await self._c.flows.insert_one(doc)
        return to_flow(doc)

    @guarded
    async def create_unique(self, user_id: str, context_id: str, data: FlowCreate) -> Flow | None:
        """Create unless an open flow of the context has the same normalised title (None then)."""
        await self._c.require_context(user_id, context_id)
        doc = self._new_doc(user_id, context_id, data)
        same = {
            "user_id": user_id,
            "context_id": context_id,
            "normalized_title": doc["normalized_title"],
            "is_completed": False,
        }
        if await self._c.flows.find_one(same, {"_id": 1}) is not None:
            return None
        try:
            await self._c.flows.insert_one(doc)
        except DuplicateKeyError:
            return None
        return to_flow(doc)

    @guarded
    async def get_by_id(self, flow_id: str, user_id: str) -> Flow | None:
        """The flow if it is the user's and its context is live, else None."""
        doc = await self._visible(flow_id, user_id)
        return None if doc is None else to_flow(doc)

    @guarded
    async def list_by_context(
        self, user_id: str, context_id: str, page: PageParams, completed: bool | None = None
    ) -> Page[Flow]:
        """Flows of a context, newest first; raises NotFoundError for a foreign context."""
        await self._c.require_context(user_id, context_id)
        query: Doc = {"user_id": user_id, "context_id": context_id}
        if completed is not None:
            query["is_completed"] = completed
        return await self._c.page(self._c.flows, query, page, to_flow)

    @guarded
    async def list_open(self, user_id: str, context_id: str, limit: int) -> list[Flow]:
        """The newest open flows of the user's context, in one query."""
        query: Doc = {"user_id": user_id, "context_id": context_id, "is_completed": False}
        cursor = self._c.flows.find(query).sort(NEWEST_FIRST).limit(limit)
        return [to_flow(doc) async for doc in cursor]

    @guarded
    async def update(self, flow_id: str, user_id: str, data: FlowUpdate) -> Flow | None:
        """Change the fields sent; completing sets `completed_at`, reopening clears it."""
        current = await self._visible(flow_id, user_id)
        if current is None:
            return None
        sent = data.model_dump(exclude_unset=True)
        changes: dict[str, Any] = {k: sent[k] for k in _REQUIRED if sent.get(k) is not None}
        changes.update({k: sent[k] for k in _NULLABLE if k in sent})
        if "priority" in changes:
            changes["priority"] = changes["priority"].value
        if "due_date" in changes:
            changes.update(_due_fields(changes["due_date"]))
        if "title" in changes:
            changes["normalized_title"] = normalize_title(changes["title"])
        now = clock.now()
        was_completed = bool(current["is_completed"])
        completed = sent.get("is_completed")
        if completed is not None:
            changes["is_completed"] = completed
            if not completed:
                changes["completed_at"] = None
            elif not was_completed:
                changes["completed_at"] = now
        changes["updated_at"] = now
        held: str | None = current.get("open_title")
        wanted = held
        if completed is not None or "title" in changes:
            is_open = not (was_completed if completed is None else completed)
            title = changes.get("normalized_title", current["normalized_title"])
            wanted = title if is_open else None
        doc = await self._write_update(flow_id, user_id, changes, held, wanted)
        if doc is not None and held is not None and doc.get("open_title") != held:
            await self._hand_on(user_id, doc["context_id"], held)
        return None if doc is None else to_flow(doc)

    @guarded
    async def delete(self, flow_id: str, user_id: str) -> bool:
        """Delete the flow; False if it is not there (or not visible to the user)."""
        if await self._visible(flow_id, user_id) is None:
            return False
        doc = await self._c.flows.find_one_and_delete({"_id": flow_id, "user_id": user_id})
        if doc is None:
            return False
        if doc.get("open_title") is not None:
            await self._hand_on(user_id, doc["context_id"], doc["open_title"])
        return True

    @guarded
    async def apply_turn(self, user_id: str, context_id: str, plan: TurnPlan) -> TurnWrite:
        """A turn's edits, then its new flows (see `flow_changes` for what is atomic here)."""
        await self._c.require_context(user_id, context_id)
        out = TurnWrite()
        for edit in plan.edits:
            change = await self._apply_edit(user_id, context_id, edit)
            if change is not None:
                out.changes.append(change)
        for data in plan.create:
            flow = await self.create_unique(user_id, context_id, data)
            if flow is not None:
                out.created.append(flow)
        return out

    async def _apply_edit(self, user_id: str, context_id: str, edit: FlowEdit) -> FlowChange | None:
        query = {"_id": edit.flow_id, "user_id": user_id, "context_id": context_id}
        doc = await self._c.flows.find_one({**query, "is_completed": False})
        if doc is None:
            return None
        before = to_flow(doc)
        after: Flow | None = None
        if edit.op is FlowChangeOp.CANCEL:
            if not await self.delete(edit.flow_id, user_id):
                return None
        else:
            patch = changes.edit_update(edit, before)
            if patch is None:
                return None
            after = await self.update(edit.flow_id, user_id, patch)
            if after is None:
                return None
        change = changes.new_change(edit, context_id, before, after)
        await self._c.flow_changes.insert_one(changes.change_doc(change, user_id))
        return change

    @guarded
    async def list_changes(
        self, user_id: str, context_id: str, page: PageParams
    ) -> Page[FlowChange]:
        """Automatic changes of a context, newest first; NotFoundError for a foreign context."""
        await self._c.require_context(user_id, context_id)
        return await changes.list_changes(self._c, user_id, context_id, page)

    @guarded
    async def undo_change(self, change_id: str, user_id: str) -> FlowChange | None:
        """Restore the flow exactly as before the change; idempotent; None if unknown."""
        doc = await self._c.flow_changes.find_one({"_id": change_id, "user_id": user_id})
        if doc is None or not await self._c.context_is_live(user_id, doc["context_id"]):
            return None
        change = changes.to_change(doc)
        if change.undone_at is not None:
            return change
        await changes.restore(self._c, change.before)
        undone_at = clock.now()
        await self._c.flow_changes.update_one(
            {"_id": change_id, "undone_at": None}, {"$set": {"undone_at": undone_at}}
        )
        return change.model_copy(update={"undone_at": undone_at})

    async def _visible(self, flow_id: str, user_id: str) -> Doc | None:
        doc = await self._c.flows.find_one({"_id": flow_id, "user_id": user_id})
        if doc is None or not await self._c.context_is_live(user_id, doc["context_id"]):
            return None
        return doc

    async def _write_update(
        self, flow_id: str, user_id: str, changes: Doc, held: str | None, wanted: str | None
    ) -> Doc | None:
        """Apply `changes`, holding `wanted` as open title if no other flow holds it."""
        query = {"_id": flow_id, "user_id": user_id}
        if wanted is not None and wanted != held:
            try:
                return await self._c.flows.find_one_and_update(
                    query,
                    {"$set": {**changes, "open_title": wanted}},
                    return_document=ReturnDocument.AFTER,
                )
            except DuplicateKeyError:
                wanted = None
        update: Doc = {"$set": changes}
        if wanted is None and held is not None:
            update["$unset"] = {"open_title": ""}
        return await self._c.flows.find_one_and_update(
            query, update, return_document=ReturnDocument.AFTER
        )

    async def _hand_on(self, user_id: str, context_id: str, title: str) -> None:
        """Let another open flow with `title` hold it, now that its holder let go."""
        try:
            await self._c.flows.update_one(
                {
                    "user_id": user_id,
                    "context_id": context_id,
                    "normalized_title": title,
                    "is_completed": False,
                    "open_title": {"$exists": False},
                },
                {"$set": {"open_title": title}},
            )
        except DuplicateKeyError:
            return  # a new flow took the title meanwhile, which is just as good

    @staticmethod
    def _new_doc(user_id: str, context_id: str, data: FlowCreate) -> Doc:
        now = clock.now()
        normalized = normalize_title(data.title)
        return {
            "_id": new_id(),
            "user_id": user_id,
            "context_id": context_id,
            "title": data.title,
            "normalized_title": normalized,
            "open_title": normalized,
            "description": data.description,
            "priority": data.priority.value,
            **_due_fields(data.due_date),
            "reminder_enabled": data.reminder_enabled,
            "is_completed": False,
            "completed_at": None,
            "created_at": now,
            "updated_at": now,
        }
