"""`Annotated` dependency aliases that keep endpoints readable and easy to override in tests.

Every dependency is `async def`: FastAPI runs a plain `def` dependency in its thread pool,
a thread hop per request for what is an attribute lookup.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from my_flow_api.config import Settings
from my_flow_api.models.common import PageParams
from my_flow_api.repositories.protocols import (
    ContextRepository,
    ConversationRepository,
    FlowRepository,
    Store,
)


async def get_settings_dep(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_store(request: Request) -> Store:
    """The store opened by the app's lifespan."""
    store: Store = request.app.state.store
    return store


async def get_context_repository(store: Annotated[Store, Depends(get_store)]) -> ContextRepository:
    return store.contexts


async def get_flow_repository(store: Annotated[Store, Depends(get_store)]) -> FlowRepository:
    return store.flows


async def get_conversation_repository(
    store: Annotated[Store, Depends(get_store)],
) -> ConversationRepository:
    return store.conversations


async def get_page(
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> PageParams:
    """Paging query parameters (`limit`, `offset`)."""
    return PageParams(limit=limit, offset=offset)


AppSettings = Annotated[Settings, Depends(get_settings_dep)]
AppStore = Annotated[Store, Depends(get_store)]
ContextRepo = Annotated[ContextRepository, Depends(get_context_repository)]
FlowRepo = Annotated[FlowRepository, Depends(get_flow_repository)]
ConversationRepo = Annotated[ConversationRepository, Depends(get_conversation_repository)]
Paging = Annotated[PageParams, Depends(get_page)]
