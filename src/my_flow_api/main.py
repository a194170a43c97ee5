"""The application factory and its lifespan.

`uvicorn my_flow_api.main:app` serves the module-level `app`, built from the environment.
Tests and the CLI call `create_app(settings)` directly.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import structlog
from fastapi import FastAPI

from my_flow_api import __version__
from my_flow_api.auth.local_sessions import LocalSessions
from my_flow_api.auth.verifier import build_token_verifier
from my_flow_api.config import ConfigError, Settings, get_settings
from my_flow_api.dependencies import start_admission
from my_flow_api.logging_setup import configure_logging
from my_flow_api.repositories.factory import create_store
from my_flow_api.routers import (
    chat_socket,
    contexts,
    conversations,
    flow_changes,
    flows,
    health,
    local_session,
    protocol_docs,
    ui_chat,
)
from my_flow_api.routers.page import install_page
from my_flow_api.server.body_limit import BodyLimitMiddleware
from my_flow_api.server.direct_send import App
from my_flow_api.server.error_handlers import install_error_handlers
from my_flow_api.server.lifecycle import ShutdownDrain
from my_flow_api.server.start_gate import StartGate
from my_flow_api.services.ai.http import SessionFactory
from my_flow_api.services.ai.service import AIService, build_ai_service
from my_flow_api.services.chat.metrics import StreamMetrics
from my_flow_api.services.chat.recovery import LostTurnSweep, lost_stream_recorder
from my_flow_api.services.chat.service import ChatPolicy, ChatService
from my_flow_api.services.chat.turn import TurnLimits
from my_flow_api.services.chat.ui_chats import UIChats
from my_flow_api.services.extraction.service import FlowExtraction
from my_flow_api.services.streams.builder import build_registry
from my_flow_api.services.streams.response import ReaderPolicy
from my_flow_api.web.headers import PageHeadersMiddleware

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Seams:
    """What tests and embedders may hand in instead of building it from settings."""

    ai: AIService | None = None
    """The chat model (its provider also extracts flows); the app does not close it."""
    session_factory: SessionFactory | None = None
    """The aiohttp session a provider built from settings sends on."""


def _lifespan(settings: Settings, seams: Seams):  # type: ignore[no-untyped-def]
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = await create_store(settings)
        verifier = build_token_verifier(settings)
        ai = seams.ai or build_ai_service(settings, seams.session_factory)
        extraction = FlowExtraction.for_settings(ai.provider, settings)
        # in memory, or shared on Redis
        registry = build_registry(settings, lost_stream_recorder(store))
        sweep = LostTurnSweep(
            store, settings.STREAM_MAX_DURATION_SECONDS, owns_all=settings.REDIS_URL is None
        )
        await sweep.at_start()  # before any turn of this process exists
        sweeping = asyncio.create_task(sweep.run(), name="lost-turn-sweep")
        drain = ShutdownDrain(registry, settings.SHUTDOWN_GRACE_SECONDS)
        drain.install()
        app.state.store = store
        app.state.token_verifier = verifier
        chat = ChatService(ai, extraction, store, registry, StreamMetrics(), _policy(settings))
        app.state.chat_service = chat
        app.state.ui_chats = UIChats(chat)
        log.info(
            "service started",
            ai_provider=settings.AI_PROVIDER.value,
            auth="local" if settings.local_auth else "logto",
            store="mongodb" if settings.MONGODB_URI else settings.database_url.split(":", 1)[0],
            streams="redis" if settings.REDIS_URL else "memory",
        )
        if settings.local_auth and settings.LOCAL_AUTH_ALLOW_REMOTE:
            log.warning(
                "LOCAL_AUTH_ALLOW_REMOTE is set: any client that reaches this service can"
                " sign in as any user (local auth); only on a trusted network"
            )
        try:
            yield
        finally:
            sweeping.cancel()
            drain.uninstall()
            await drain.wait()
            await registry.close()
            if seams.ai is None:
                await ai.aclose()
            await verifier.aclose()
            await store.close()
            log.info("service stopped")

    return lifespan


def _policy(settings: Settings) -> ChatPolicy:
    return ChatPolicy(
        first_token_wait_seconds=settings.STREAM_FIRST_TOKEN_WAIT_SECONDS,
        max_chat_chars=settings.MAX_CHAT_CHARS,
        max_starting=settings.STREAM_MAX_STARTING,
        start_wait_seconds=settings.STREAM_START_WAIT_SECONDS,
        limits=TurnLimits(
            max_duration_seconds=settings.STREAM_MAX_DURATION_SECONDS,
            checkpoint_seconds=settings.STREAM_CHECKPOINT_SECONDS,
        ),
        reader=ReaderPolicy(settings.SSE_PING_SECONDS, settings.STREAM_ON_DISCONNECT),
    )


def create_app(
    settings: Settings | None = None,
    *,
    ai: AIService | None = None,
    session_factory: SessionFactory | None = None,
) -> FastAPI:
    """Build the ASGI app; storage and auth are opened by its lifespan.

    `ai` replaces the AI service `AI_PROVIDER` names (a test's scripted model, an
    embedder's own); `session_factory` makes the aiohttp session the provider sends on.
    """
    settings = settings or get_settings()
    configure_logging(settings.LOG_FORMAT, settings.LOG_LEVEL)
    lifespan = _lifespan(settings, Seams(ai, session_factory))
    app = App(
        title="my-flow API",
        version=__version__,
        lifespan=lifespan,
        openapi_tags=protocol_docs.TAGS,
    )
    app.state.settings = settings
    install_error_handlers(app)
    # inside the body limit: the gate reads a start's body
    app.add_middleware(StartGate, admission_of=start_admission)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.MAX_BODY_BYTES)
    for module in (health, contexts, flows, flow_changes, conversations, ui_chat, chat_socket):
        app.include_router(module.router)
    _install_page(app, settings)
    return app


def _install_page(app: FastAPI, settings: Settings) -> None:
    """The chat page at `/`; its "Continue as <name>" endpoint exists in local mode only."""
    app.add_middleware(PageHeadersMiddleware, identity_provider=settings.LOGTO_ENDPOINT)
    if settings.local_auth:
        app.state.local_sessions = LocalSessions(settings)
        app.include_router(local_session.router)
    install_page(app)


def _app_from_environment() -> FastAPI:
    try:
        return create_app()
    except ConfigError as exc:
        print(f"my-flow: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


app = _app_from_environment()
