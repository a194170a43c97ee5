"""Flows: `GET|POST /contexts/{context_id}/flows`, `GET|PATCH|DELETE /flows/{flow_id}`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic.json_schema import SkipJsonSchema

from my_flow_api.dependencies import CurrentUser, FlowRepo, Paging
from my_flow_api.errors import NotFoundError
from my_flow_api.models.common import Page
from my_flow_api.models.flow import Flow, FlowCreate, FlowFields, FlowUpdate
from my_flow_api.models.text import StorableText
from my_flow_api.routers.error_docs import AUTHENTICATED, JSON_BODY, MISSING
from my_flow_api.server.json_body import JSONBodyRoute

router = APIRouter(
    prefix="/api/v1", tags=["flows"], route_class=JSONBodyRoute, responses=AUTHENTICATED
)

NOT_FOUND = "Flow not found"
FLOW_LINKS = {
    name: {"operationId": op, "parameters": {"path.flow_id": "$response.body#/id"}}
    for name, op in (
        ("GetFlow", "get_flow"),
        ("UpdateFlow", "update_flow"),
        ("DeleteFlow", "delete_flow"),
    )
}
"""From a new flow to the operations that take its id (OpenAPI links, for clients and
for schemathesis' stateful phase)."""


@router.get("/contexts/{context_id}/flows", responses=MISSING)
async def list_flows(
    context_id: StorableText,
    user_id: CurrentUser,
    repo: FlowRepo,
    page: Paging,
    completed: Annotated[bool | SkipJsonSchema[None], Query()] = None,
) -> Page[Flow]:
    """Flows of one of the user's contexts, newest first; `completed` filters by state."""
    return await repo.list_by_context(user_id, context_id, page, completed=completed)


@router.post(
    "/contexts/{context_id}/flows",
    status_code=status.HTTP_201_CREATED,
    responses={**MISSING, **JSON_BODY, 201: {"links": FLOW_LINKS}},
)
async def create_flow(
    context_id: StorableText, body: FlowFields, user_id: CurrentUser, repo: FlowRepo
) -> Flow:
    """Create a flow in one of the user's contexts."""
    data = FlowCreate(**body.model_dump(), context_id=context_id)
    return await repo.create(user_id, context_id, data)


@router.get("/flows/{flow_id}", operation_id="get_flow", responses=MISSING)
async def get_flow(flow_id: StorableText, user_id: CurrentUser, repo: FlowRepo) -> Flow:
    """One of the user's flows."""
    flow = await repo.get_by_id(flow_id, user_id)
    if flow is None:
        raise NotFoundError(NOT_FOUND)
    return flow


@router.patch("/flows/{flow_id}", operation_id="update_flow", responses={**MISSING, **JSON_BODY})
async def update_flow(
    flow_id: StorableText, body: FlowUpdate, user_id: CurrentUser, repo: FlowRepo
) -> Flow:
    """Change the fields sent; `is_completed` also sets or clears `completed_at`."""
    flow = await repo.update(flow_id, user_id, body)
    if flow is None:
        raise NotFoundError(NOT_FOUND)
    return flow


@router.delete(
    "/flows/{flow_id}",
    operation_id="delete_flow",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=MISSING,
)
async def delete_flow(flow_id: StorableText, user_id: CurrentUser, repo: FlowRepo) -> Response:
    """Delete one of the user's flows."""
    if not await repo.delete(flow_id, user_id):
        raise NotFoundError(NOT_FOUND)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
