"""The chat WebSocket, `/api/v1/chat/socket`: the AI SDK's `WebSocketChatTransport`
protocol (and websocat typing its JSON frames). See `services/streams/socket_session.py`."""

from __future__ import annotations

from fastapi import APIRouter, WebSocket
from fastapi.responses import JSONResponse

from my_flow_api.auth.verifier import Principal, TokenVerifier, bearer_token, require_scopes
from my_flow_api.config import Settings
from my_flow_api.routers.ui_chat import get_ui_chats
from my_flow_api.services.streams.socket_session import ChatSocket

router = APIRouter(prefix="/api/v1/chat", tags=["websocket"])

SOCKET_DESCRIPTION = """**A WebSocket endpoint**: connect with `Upgrade: websocket` (this
operation only describes it; a plain GET answers `426`). It speaks the AI SDK's
`WebSocketChatTransport` frame protocol, JSON text frames:

- client → server: `{"type": "send", "requestId", "id": <chat id>, "messages": [UI
  messages with parts], "headers": {"authorization": "Bearer <token>"}, "body":
  {"context_id"}}`; `{"type": "resume", "requestId", "id", "lastSequence"?,
  "lastEventId"?, "headers", "body": {"context_id"}}`; `{"type": "abort", "requestId"}`
  (stops the turn, like `POST …/chat/{chat_id}/stop`).
- server → client: `{"type": "start", "requestId"}`; `{"type": "chunk", "requestId",
  "sequence": 0…, "chunk": <UI message chunk>, "eventId": <the SSE id>}`; `{"type": "end"}`;
  `{"type": "no-active"}`; `{"type": "error", "requestId", "errorText", "code"}`.

The token travels in a frame's `headers` (or the handshake's `Authorization` header),
never in the URL. Several turns (at most 8 at once) share a socket; closing it is a
disconnect under `STREAM_ON_DISCONNECT`; a frame over `MAX_BODY_BYTES` closes it with
`1009`."""


class UpgradeRequired(JSONResponse):
    """The answer to a GET without the WebSocket upgrade."""


@router.get(
    "/socket",
    operation_id="chat_socket",
    status_code=426,
    response_class=UpgradeRequired,
    description=SOCKET_DESCRIPTION,
    responses={
        426: {
            "description": "Not a WebSocket handshake",
            "headers": {"Upgrade": {"schema": {"type": "string", "const": "websocket"}}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
        }
    },
)
async def chat_socket_http() -> UpgradeRequired:
    """The chat WebSocket (see the description); without the upgrade, `426`."""
    return UpgradeRequired(
        {"detail": "Connect with a WebSocket handshake", "code": "upgrade_required"},
        status_code=426,
        headers={"Upgrade": "websocket"},
    )


@router.websocket("/socket")
async def chat_socket(websocket: WebSocket) -> None:
    """Chat turns over one WebSocket (frames: send, resume, abort; start, chunk, end,
    error, no-active)."""
    state = websocket.app.state
    verifier: TokenVerifier = state.token_verifier
    settings: Settings = state.settings

    async def authenticate(authorization: str | None) -> Principal:
        principal = await verifier.verify(bearer_token(authorization))
        require_scopes(principal, settings.AUTH_REQUIRED_SCOPES)
        return principal

    chats = await get_ui_chats(websocket)
    await ChatSocket(websocket, chats, authenticate, settings.MAX_BODY_BYTES).run()
