"""The OpenAPI document's tags: where it describes the protocols that are not one HTTP
operation each (the chat WebSocket) and how the AI SDK's operations fit together."""

from __future__ import annotations

from typing import Any

WEBSOCKET = """**The chat WebSocket, `ws(s)://<host>/api/v1/chat/socket`** (a plain GET
answers `426`). It speaks the AI SDK's `WebSocketChatTransport` frame protocol (`ai` 7),
JSON text frames:

- client → server: `{"type": "send", "requestId", "id": <chat id>, "messages": [UI
  messages with parts], "headers": {"authorization": "Bearer <token>"}, "body":
  {"context_id"}}`; `{"type": "resume", "requestId", "id", "lastSequence"?,
  "lastEventId"?, "headers", "body": {"context_id"}}`; `{"type": "abort", "requestId"}`
  (stops the turn, like `POST …/chat/{chat_id}/stop`).
- server → client: `{"type": "start", "requestId"}`; `{"type": "chunk", "requestId",
  "sequence": 0…, "chunk": <UI message chunk, as in ai_sdk_chat>, "eventId": <the SSE
  id>}`; `{"type": "end", "requestId"}`; `{"type": "no-active", "requestId"}`;
  `{"type": "error", "requestId", "errorText", "code", "retryAfter"?}` (`errorText`
  opens with the HTTP status the same refusal has; `retryAfter`, in seconds, with `busy`:
  the worker is starting as many turns as it can, see `STREAM_MAX_STARTING`, and with
  `too_many_streams`).

The token travels in a frame's `headers` (or the handshake's `Authorization` header),
never in the URL. Several turns (at most 8 at once) share a socket; closing it is a
disconnect under `STREAM_ON_DISCONNECT`; a frame over `MAX_BODY_BYTES` closes it with
`1009`."""

AI_SDK = """The Vercel AI SDK's chat protocol: point `useChat`'s `DefaultChatTransport` at
`/api/v1/contexts/{context_id}/chat`. Sending, the SDK's resume (`{chat_id}/stream`, `204`
when nothing runs) and a dedicated stop endpoint; the answer is the UI message stream."""

TAGS: list[dict[str, Any]] = [
    {"name": "ai-sdk", "description": AI_SDK},
    {"name": "websocket", "description": WEBSOCKET},
]
