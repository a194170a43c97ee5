"""Operations: `GET /health` (the store's reachability) and `GET /metrics` (Prometheus)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from my_flow_api import __version__
from my_flow_api.dependencies import AppSettings, AppStore

router = APIRouter(prefix="/api/v1", tags=["operations"])


@router.get("/health", response_model=None)
async def health(store: AppStore, settings: AppSettings) -> JSONResponse:
    """`200` when the store answers, `503` when it does not."""
    store_ok = await store.ping()
    body = {
        "status": "ok" if store_ok else "degraded",
        "store": "ok" if store_ok else "unavailable",
        "ai_provider": settings.AI_PROVIDER.value,
        "version": __version__,
    }
    return JSONResponse(body, status_code=200 if store_ok else 503)


@router.get("/metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    """Stream metrics in the Prometheus text format."""
    body = request.app.state.chat_service.metrics.render()
    return Response(body, media_type=CONTENT_TYPE_LATEST)
