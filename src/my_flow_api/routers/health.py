"""Operations: `GET /api/v1/health` (the store's reachability) and `GET /metrics`
(Prometheus), both without authentication.

`/metrics` sits at the root, where Prometheus scrapes by default; `/api/v1/metrics` serves
the same text for scrapers configured before it moved there.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from my_flow_api import __version__
from my_flow_api.dependencies import AppSettings, AppStore, Metrics, Registry

router = APIRouter(tags=["operations"])


@router.get("/api/v1/health", response_model=None)
async def health(store: AppStore, settings: AppSettings, registry: Registry) -> JSONResponse:
    """`200` when the store (and Redis, when set) answer, `503` naming what does not."""
    store_ok = await store.ping()
    redis_ok = await registry.ping()  # None: no Redis
    healthy = store_ok and redis_ok is not False
    body: dict[str, str] = {
        "status": "ok" if healthy else "degraded",
        "store": "ok" if store_ok else "unavailable",
    }
    if redis_ok is not None:
        body["redis"] = "ok" if redis_ok else "unavailable"
    body.update(ai_provider=settings.AI_PROVIDER.value, version=__version__)
    return JSONResponse(body, status_code=200 if healthy else 503)


@router.get("/metrics", response_class=Response)
@router.get("/api/v1/metrics", response_class=Response, include_in_schema=False)
async def metrics(stream_metrics: Metrics) -> Response:
    """Stream metrics in the Prometheus text format."""
    body = stream_metrics.render()
    return Response(body, media_type=CONTENT_TYPE_LATEST)
