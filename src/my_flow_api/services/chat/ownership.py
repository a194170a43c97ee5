"""The caller's own records: anything missing or someone else's is one and the same 404."""

from __future__ import annotations

import structlog

from my_flow_api.errors import CONTEXT_NOT_FOUND, NotFoundError
from my_flow_api.models.context import Context
from my_flow_api.repositories.protocols import ContextRepository


async def owned_context(context_id: str, user_id: str, contexts: ContextRepository) -> Context:
    """The user's context; NotFoundError alike when it is missing or someone else's."""
    structlog.contextvars.bind_contextvars(context_id=context_id)
    context = await contexts.get_by_id(context_id, user_id)
    if context is None:
        raise NotFoundError(CONTEXT_NOT_FOUND)
    return context
