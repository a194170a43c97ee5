"""Every dependency the endpoints use, and the only reader of `app.state` besides `main`.

`Annotated` aliases keep endpoints readable and easy to override in tests. Every dependency
is `async def`: FastAPI runs a plain `def` dependency in its thread pool, a thread hop per
request for what is an attribute lookup.
"""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import Depends, Query, Request, Security
from fastapi.security import HTTPBearer
from starlette.requests import HTTPConnection
from starlette.types import Scope

from my_flow_api.auth.local_sessions import LocalSessions
from my_flow_api.auth.verifier import TokenVerifier, bearer_token, require_scopes
from my_flow_api.config import Settings
from my_flow_api.models.common import PageParams
from my_flow_api.repositories.protocols import (
    ContextRepository,
    ConversationRepository,
    FlowRepository,
    Store,
)
from my_flow_api.services.chat.admission import StartAdmission
from my_flow_api.services.chat.metrics import StreamMetrics
from my_flow_api.services.chat.service import ChatService
from my_flow_api.services.chat.ui_chats import UIChats
from my_flow_api.services.streams.registry import StreamRegistry


async def get_settings_dep(connection: HTTPConnection) -> Settings:
    """The settings the app was built with."""
    settings: Settings = connection.app.state.settings
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


def chat_service(connection: HTTPConnection) -> ChatService:
    """The chat service built by the app's lifespan, for a route that reads it without a
    dependency: `POST /conversations/stream`, where every resolution FastAPI makes counts
    in each turn's fixed cost."""
    service: ChatService = connection.app.state.chat_service
    return service


def start_admission(scope: Scope) -> StartAdmission | None:
    """The start slots `server/start_gate.py` hands out, None before the lifespan started
    the chat service (the app then answers as it would)."""
    chat: ChatService | None = getattr(scope["app"].state, "chat_service", None)
    return None if chat is None else chat.admission


async def get_chat_service(request: Request) -> ChatService:
    """The chat service built by the app's lifespan."""
    return chat_service(request)


async def get_stream_registry(
    chat: Annotated[ChatService, Depends(get_chat_service)],
) -> StreamRegistry:
    return chat.registry


async def get_metrics(chat: Annotated[ChatService, Depends(get_chat_service)]) -> StreamMetrics:
    return chat.metrics


async def get_ui_chats(connection: HTTPConnection) -> UIChats:
    """The AI SDK chats (useChat's ids) over the chat service; HTTP and WebSocket alike."""
    chats: UIChats = connection.app.state.ui_chats
    return chats


async def get_local_sessions(request: Request) -> LocalSessions:
    """The local sign-in (its router exists in local mode only)."""
    sessions: LocalSessions = request.app.state.local_sessions
    return sessions


async def get_token_verifier(connection: HTTPConnection) -> TokenVerifier:
    verifier: TokenVerifier = connection.app.state.token_verifier
    return verifier


class _VerifiedBearer(HTTPBearer):
    """The bearer scheme in OpenAPI, and the check of its token: the caller's user id
    (`sub`), verified and holding the configured required scopes, bound into the log
    context.

    One dependency per request instead of a scheme, a token check and a user dependency
    in a chain: each costs FastAPI a resolution. Subclassing a scheme to implement it is
    how FastAPI's own stubs (`HTTPDigest`) are meant to be used. The header is parsed by
    `bearer_token`, never by `HTTPBearer`; the verifier and the settings are read from
    `app.state` directly.
    """

    async def __call__(self, request: HTTPConnection) -> str:  # type: ignore[override]
        verifier: TokenVerifier = request.app.state.token_verifier
        settings: Settings = request.app.state.settings
        principal = await verifier.verify(bearer_token(request.headers.get("authorization")))
        require_scopes(principal, settings.AUTH_REQUIRED_SCOPES)
        structlog.contextvars.bind_contextvars(user_id=principal.user_id)
        return principal.user_id


# The scheme keeps HTTPBearer's name in OpenAPI (a subclass would be named after itself).
_bearer_scheme = _VerifiedBearer(
    auto_error=False, scheme_name="HTTPBearer", description="Access token (JWT)"
)


AppSettings = Annotated[Settings, Depends(get_settings_dep)]
AppStore = Annotated[Store, Depends(get_store)]
ContextRepo = Annotated[ContextRepository, Depends(get_context_repository)]
FlowRepo = Annotated[FlowRepository, Depends(get_flow_repository)]
ConversationRepo = Annotated[ConversationRepository, Depends(get_conversation_repository)]
Paging = Annotated[PageParams, Depends(get_page)]
Chat = Annotated[ChatService, Depends(get_chat_service)]
Registry = Annotated[StreamRegistry, Depends(get_stream_registry)]
Metrics = Annotated[StreamMetrics, Depends(get_metrics)]
Sessions = Annotated[LocalSessions, Depends(get_local_sessions)]
Chats = Annotated[UIChats, Depends(get_ui_chats)]
Verifier = Annotated[TokenVerifier, Depends(get_token_verifier)]
CurrentUser = Annotated[str, Security(_bearer_scheme)]
