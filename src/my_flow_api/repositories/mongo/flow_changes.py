"""A turn's automatic flow changes in MongoDB.

Without a replica set there are no multi-document transactions, so a turn's writes are
made safe per document instead: each edit is one conditional write on a flow that is
still open in the context, and its change record is written right after. The flow
before and after is kept as the same JSON the SQL stores keep, so undo restores it
exactly (the flow's document is replaced, or re-inserted when it was removed).
"""

from __future__ import annotations

from typing import Any

from pymongo.errors import DuplicateKeyError

from my_flow_api.models.common import Page, PageParams, new_id
from my_flow_api.models.flow import Flow, FlowUpdate, normalize_title
from my_flow_api.models.flow_change import FlowChange, FlowChangeOp, FlowEdit
from my_flow_api.repositories.mongo.base import Collections, Doc, clock, to_storage_time


def to_change(doc: Doc) -> FlowChange:
    """The model of a stored change document."""
    after = doc.get("after")
    return FlowChange(
        id=doc["_id"],
        flow_id=doc["flow_id"],
        context_id=doc["context_id"],
        op=FlowChangeOp(doc["op"]),
        before=Flow.model_validate_json(doc["before"]),
        after=None if after is None else Flow.model_validate_json(after),
        evidence=doc["evidence"],
        created_at=doc["created_at"],
        undone_at=doc.get("undone_at"),
    )


def edit_update(edit: FlowEdit, before: Flow) -> FlowUpdate | None:
    """The PATCH an edit amounts to (None: it would change nothing)."""
    fields: dict[str, Any] = {}
    op = edit.op
    if op is FlowChangeOp.COMPLETE:
        fields["is_completed"] = True
    elif op is FlowChangeOp.RESCHEDULE and edit.due_date not in (None, before.due_date):
        fields["due_date"] = edit.due_date
    elif op is FlowChangeOp.REPRIORITISE and edit.priority not in (None, before.priority):
        fields["priority"] = edit.priority
    elif op is FlowChangeOp.REFINE and edit.title not in (None, before.title):
        fields["title"] = edit.title
    return FlowUpdate(**fields) if fields else None


def change_doc(change: FlowChange, user_id: str) -> Doc:
    """The stored form of a change."""
    return {
        "_id": change.id,
        "user_id": user_id,
        "context_id": change.context_id,
        "flow_id": change.flow_id,
        "op": change.op.value,
        "before": change.before.model_dump_json(),
        "after": None if change.after is None else change.after.model_dump_json(),
        "evidence": change.evidence,
        "created_at": change.created_at,
        "undone_at": None,
    }


def new_change(edit: FlowEdit, context_id: str, before: Flow, after: Flow | None) -> FlowChange:
    """A change record for an applied edit."""
    return FlowChange(
        id=new_id(),
        flow_id=before.id,
        context_id=context_id,
        op=edit.op,
        before=before,
        after=after,
        evidence=edit.evidence,
        created_at=clock.now(),
    )


def flow_doc(flow: Flow) -> Doc:
    """A flow's document exactly as `flow` has it (due date split as the store keeps it)."""
    due = flow.due_date
    normalized = normalize_title(flow.title)
    doc: Doc = {
        "_id": flow.id,
        "user_id": flow.user_id,
        "context_id": flow.context_id,
        "title": flow.title,
        "normalized_title": normalized,
        "description": flow.description,
        "priority": flow.priority.value,
        "due_date": None if due is None else to_storage_time(due),
        "due_date_us": 0 if due is None else due.microsecond % 1000,
        "reminder_enabled": flow.reminder_enabled,
        "is_completed": flow.is_completed,
        "completed_at": flow.completed_at,
        "created_at": flow.created_at,
        "updated_at": flow.updated_at,
    }
    if not flow.is_completed:
        doc["open_title"] = normalized
    return doc


async def restore(c: Collections, flow: Flow) -> None:
    """Replace (or re-insert) the flow's document with `flow`; it holds its open title
    unless another open flow holds it now."""
    doc = flow_doc(flow)
    query = {"_id": flow.id, "user_id": flow.user_id}
    try:
        await c.flows.replace_one(query, doc, upsert=True)
    except DuplicateKeyError:
        doc.pop("open_title", None)
        await c.flows.replace_one(query, doc, upsert=True)


async def list_changes(
    c: Collections, user_id: str, context_id: str, page: PageParams
) -> Page[FlowChange]:
    """The context's changes, newest first (the caller checked the context)."""
    query = {"user_id": user_id, "context_id": context_id}
    return await c.page(c.flow_changes, query, page, to_change)
