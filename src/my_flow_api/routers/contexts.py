"""Contexts: `POST|GET /contexts`, `GET|PATCH|DELETE /contexts/{context_id}`."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from my_flow_api.dependencies import ContextRepo, CurrentUser, Paging
from my_flow_api.errors import NotFoundError
from my_flow_api.models.common import Page
from my_flow_api.models.context import Context, ContextCreate, ContextUpdate
from my_flow_api.models.text import StorableText
from my_flow_api.routers.error_docs import AUTHENTICATED, JSON_BODY, MISSING
from my_flow_api.routers.stream_docs import CHAT_IN_CONTEXT
from my_flow_api.server.json_body import JSONBodyRoute
from my_flow_api.services.chat.ownership import owned_context

router = APIRouter(
    prefix="/api/v1/contexts",
    tags=["contexts"],
    route_class=JSONBodyRoute,
    responses=AUTHENTICATED,
)

NOT_FOUND = "Context not found"


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={**JSON_BODY, 201: {"links": CHAT_IN_CONTEXT}},
)
async def create_context(body: ContextCreate, user_id: CurrentUser, repo: ContextRepo) -> Context:
    """Create a context for the current user."""
    return await repo.create(user_id, body)


@router.get("")
async def list_contexts(user_id: CurrentUser, repo: ContextRepo, page: Paging) -> Page[Context]:
    """The current user's contexts, newest first."""
    return await repo.list(user_id, page)


@router.get("/{context_id}", responses=MISSING)
async def get_context(context_id: StorableText, user_id: CurrentUser, repo: ContextRepo) -> Context:
    """One of the current user's contexts."""
    return await owned_context(context_id, user_id, repo)


@router.patch("/{context_id}", responses={**MISSING, **JSON_BODY})
async def update_context(
    context_id: StorableText, body: ContextUpdate, user_id: CurrentUser, repo: ContextRepo
) -> Context:
    """Change the fields sent; the others stay as they are."""
    updated = await repo.update(context_id, user_id, body)
    if updated is None:
        raise NotFoundError(NOT_FOUND)
    return updated


@router.delete("/{context_id}", status_code=status.HTTP_204_NO_CONTENT, responses=MISSING)
async def delete_context(
    context_id: StorableText, user_id: CurrentUser, repo: ContextRepo
) -> Response:
    """Delete a context with its flows and conversations."""
    if not await repo.delete(context_id, user_id):
        raise NotFoundError(NOT_FOUND)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
