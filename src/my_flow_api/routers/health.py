"""Operations: `GET /health` (no auth) reports the store's reachability."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

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
