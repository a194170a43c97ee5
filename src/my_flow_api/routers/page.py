"""The chat page: `GET /` (the HTML), `GET /page/config` (the sign-in mode) and `/static/*`."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from my_flow_api.dependencies import AppSettings

STATIC_DIR = Path(__file__).resolve().parent.parent / "web" / "static"

router = APIRouter(tags=["page"], include_in_schema=False)


@router.get("/")
async def index() -> FileResponse:
    """The page itself; `no-cache` so a new release's HTML is picked up at once."""
    return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})


@router.get("/page/config")
async def page_config(settings: AppSettings) -> dict[str, object]:
    """How the page signs in: `local` ("Continue as <name>") or `logto` (authorization
    code + PKCE when `LOGTO_APP_ID` names the page's Logto app; a pasted token always)."""
    if settings.local_auth:
        return {"auth": "local"}
    return {
        "auth": "logto",
        "logto_endpoint": str(settings.LOGTO_ENDPOINT).rstrip("/"),
        "logto_app_id": settings.LOGTO_APP_ID,
        "logto_resource": settings.LOGTO_RESOURCE,
        "scopes": settings.AUTH_REQUIRED_SCOPES,
    }


def install_page(app: FastAPI) -> None:
    """Serve the page and its assets on `app`."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
