"""Operations: `GET /api/v1/health` (the store's reachability) and `GET /metrics`
(Prometheus), both without authentication.

`/metrics` sits at the root, where Prometheus scrapes by default; `/api/v1/metrics` serves
the same text for scrapers configured before it moved there.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from my_flow_api import __version__
from my_flow_api.dependencies import AppSettings, AppStore

router = APIRouter(tags=["operations"])


@router.get("/api/v1/health", response_model=None)
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
@router.get("/api/v1/metrics", response_class=Response, include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Stream metrics in the Prometheus text format."""
    body = request.app.state.chat_service.metrics.render()
    return Response(body, media_type=CONTENT_TYPE_LATEST)
