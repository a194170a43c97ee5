"""`Annotated` dependency aliases that keep endpoints readable and easy to override in tests."""

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


def get_settings_dep(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> Store:
    """The store opened by the app's lifespan."""
    store: Store = request.app.state.store
    return store


def get_context_repository(store: Annotated[Store, Depends(get_store)]) -> ContextRepository:
    return store.contexts


def get_flow_repository(store: Annotated[Store, Depends(get_store)]) -> FlowRepository:
    return store.flows


def get_conversation_repository(
    store: Annotated[Store, Depends(get_store)],
) -> ConversationRepository:
    return store.conversations


def get_page(
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
