"""A turn's automatic flow changes in SQL: applied with the turn's new flows in one
transaction, recorded with the flow before and after, and undone exactly."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from my_flow_api.models.common import new_id, utcnow
from my_flow_api.models.flow import Flow, normalize_title
from my_flow_api.models.flow_change import FlowChange, FlowChangeOp, FlowEdit
from my_flow_api.repositories.sql.tables import flow_changes, flows


def to_change(row: RowMapping) -> FlowChange:
    """The model of a stored change row."""
    after = row["after"]
    return FlowChange(
        id=row["id"],
        flow_id=row["flow_id"],
        context_id=row["context_id"],
        op=FlowChangeOp(row["op"]),
        before=Flow.model_validate_json(row["before"]),
        after=None if after is None else Flow.model_validate_json(after),
        evidence=row["evidence"],
        created_at=row["created_at"],
        undone_at=row["undone_at"],
    )


def edited_values(edit: FlowEdit, before: Flow) -> dict[str, Any] | None:
    """The columns an edit sets on the flow (None: it would change nothing or is unusable)."""
    now = utcnow()
    match edit.op:
        case FlowChangeOp.COMPLETE:
            return {"is_completed": True, "completed_at": now, "updated_at": now}
        case FlowChangeOp.RESCHEDULE if edit.due_date and edit.due_date != before.due_date:
            return {"due_date": edit.due_date, "updated_at": now}
        case FlowChangeOp.REPRIORITISE if edit.priority and edit.priority != before.priority:
            return {"priority": edit.priority, "updated_at": now}
        case FlowChangeOp.REFINE if edit.title and edit.title != before.title:
            title = edit.title
            return {"title": title, "normalized_title": normalize_title(title), "updated_at": now}
    return None


def flow_row(flow: Flow) -> dict[str, Any]:
    """Every column of a flow, as `flow` has them (for an exact restore)."""
    return {**flow.model_dump(), "normalized_title": normalize_title(flow.title)}


async def apply_edit(
    conn: AsyncConnection, user_id: str, context_id: str, edit: FlowEdit
) -> FlowChange | None:
    """Apply one edit to an open flow of the user's context and record it; None when the
    flow is not such a flow (unknown, another user's or context's, completed, deleted)."""
    mine = (flows.c.id == edit.flow_id, flows.c.user_id == user_id)
    query = select(flows).where(*mine, flows.c.context_id == context_id)
    row = (await conn.execute(query.where(flows.c.is_completed.is_(False)))).mappings().first()
    if row is None:
        return None
    before = Flow.model_validate(dict(row))
    after: Flow | None = None
    if edit.op is FlowChangeOp.CANCEL:
        await conn.execute(delete(flows).where(*mine))
    else:
        values = edited_values(edit, before)
        if values is None:
            return None
        result = await conn.execute(update(flows).where(*mine).values(values).returning(*flows.c))
        after = Flow.model_validate(dict(result.mappings().one()))
    change = FlowChange(
        id=new_id(),
        flow_id=before.id,
        context_id=context_id,
        op=edit.op,
        before=before,
        after=after,
        evidence=edit.evidence,
        created_at=utcnow(),
    )
    await conn.execute(insert(flow_changes).values(_change_row(change, user_id)))
    return change


def _change_row(change: FlowChange, user_id: str) -> dict[str, Any]:
    return {
        "id": change.id,
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


async def undo(conn: AsyncConnection, change_id: str, user_id: str) -> FlowChange | None:
    """Put the flow back exactly as it was before the change (re-created if it was
    removed since); a change already undone is answered as it is. None: no such change."""
    query = select(flow_changes).where(
        flow_changes.c.id == change_id, flow_changes.c.user_id == user_id
    )
    row = (await conn.execute(query)).mappings().first()
    if row is None:
        return None
    change = to_change(row)
    if change.undone_at is not None:
        return change
    values = flow_row(change.before)
    mine = (flows.c.id == change.flow_id, flows.c.user_id == user_id)
    if (await conn.execute(select(flows.c.id).where(*mine))).first() is None:
        await conn.execute(insert(flows).values(values))
    else:
        await conn.execute(update(flows).where(*mine).values(values))
    undone_at = utcnow()
    await conn.execute(
        update(flow_changes).where(flow_changes.c.id == change_id).values(undone_at=undone_at)
    )
    return change.model_copy(update={"undone_at": undone_at})
