"""The chat WebSocket, `/api/v1/chat/socket`: the AI SDK's `WebSocketChatTransport`
protocol (and websocat typing its JSON frames). See `services/chat/socket_session.py`."""

from __future__ import annotations

from fastapi import APIRouter, WebSocket
from fastapi.responses import JSONResponse

from my_flow_api.auth.verifier import Principal, bearer_token, require_scopes
from my_flow_api.dependencies import AppSettings, Chats, Verifier
from my_flow_api.services.chat.socket_session import ChatSocket

router = APIRouter(prefix="/api/v1/chat", tags=["websocket"])


class UpgradeRequired(JSONResponse):
    """The answer to a GET without the WebSocket upgrade."""


@router.get("/socket", status_code=426, response_class=UpgradeRequired, include_in_schema=False)
async def chat_socket_http() -> UpgradeRequired:
    """Not a WebSocket handshake: `426` (OpenAPI cannot describe a WebSocket as an
    operation; the `websocket` tag of the document does)."""
    return UpgradeRequired(
        {"detail": "Connect with a WebSocket handshake", "code": "upgrade_required"},
        status_code=426,
        headers={"Upgrade": "websocket"},
    )


@router.websocket("/socket")
async def chat_socket(
    websocket: WebSocket, verifier: Verifier, settings: AppSettings, chats: Chats
) -> None:
    """Chat turns over one WebSocket (frames: send, resume, abort; start, chunk, end,
    error, no-active)."""

    async def authenticate(authorization: str | None) -> Principal:
        principal = await verifier.verify(bearer_token(authorization))
        require_scopes(principal, settings.AUTH_REQUIRED_SCOPES)
        return principal

    await ChatSocket(websocket, chats, authenticate, settings.MAX_BODY_BYTES).run()
