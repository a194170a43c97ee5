"""Automatic flow changes: `GET /contexts/{context_id}/flow-changes` lists what chat turns
changed (newest first); `POST /flow-changes/{change_id}/undo` puts the flow back exactly
as it was, a cancelled one included. Undo is idempotent: a second call answers the same
change, with the time of the first undo."""

from __future__ import annotations

from fastapi import APIRouter

from my_flow_api.dependencies import CurrentUser, FlowRepo, Paging
from my_flow_api.errors import NotFoundError
from my_flow_api.models.common import Page
from my_flow_api.models.flow_change import FlowChange
from my_flow_api.models.text import StorableText
from my_flow_api.routers.error_docs import AUTHENTICATED, MISSING

router = APIRouter(prefix="/api/v1", tags=["flows"], responses=AUTHENTICATED)

NOT_FOUND = "Flow change not found"

UNDO_NEWEST = {
    "UndoFlowChange": {
        "operationId": "undo_flow_change",
        "parameters": {"path.change_id": "$response.body#/items/0/id"},
        "description": "Undo the newest change of the page",
    }
}
"""From a page of changes to undoing the first one (clients and API fuzzers follow it)."""


@router.get(
    "/contexts/{context_id}/flow-changes",
    responses={**MISSING, 200: {"links": UNDO_NEWEST}},
)
async def list_flow_changes(
    context_id: StorableText, user_id: CurrentUser, repo: FlowRepo, page: Paging
) -> Page[FlowChange]:
    """Changes chat turns made to the context's flows, newest first, undone ones included."""
    return await repo.list_changes(user_id, context_id, page)


@router.post("/flow-changes/{change_id}/undo", operation_id="undo_flow_change", responses=MISSING)
async def undo_flow_change(
    change_id: StorableText, user_id: CurrentUser, repo: FlowRepo
) -> FlowChange:
    """Restore the flow exactly as it was before the change (re-created if it was
    cancelled or deleted since); `undone_at` says when. Undoing again changes nothing."""
    change = await repo.undo_change(change_id, user_id)
    if change is None:
        raise NotFoundError(NOT_FOUND)
    return change
