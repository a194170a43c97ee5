"""The Vercel AI SDK's chat protocol: `useChat` with `DefaultChatTransport` pointed at
`/api/v1/contexts/{context_id}/chat` works unchanged (send, resume, and a stop endpoint).

Each turn is an ordinary stream of the chat service (same log, limits, persistence);
its response is one more reader of that log, framed as the UI message stream protocol.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from my_flow_api.dependencies import Chats, CurrentUser
from my_flow_api.models.chat import StreamState
from my_flow_api.models.text import StorableText
from my_flow_api.models.ui_chat import UIChatRequest
from my_flow_api.routers.error_docs import (
    AUTHENTICATED,
    MISSING,
    Responses,
    json_errors,
    start_errors,
)
from my_flow_api.server.json_body import JSONBodyRoute
from my_flow_api.services.chat.admission import http_gone
from my_flow_api.services.streams.response import EventStreamResponse
from my_flow_api.services.streams.ui_message import UI_MESSAGE_STREAM_HEADERS, UIMessageFraming

router = APIRouter(
    prefix="/api/v1/contexts/{context_id}/chat",
    tags=["ai-sdk"],
    route_class=JSONBodyRoute,
    responses=AUTHENTICATED,
)


ContextId = Annotated[StorableText, Path(min_length=1, max_length=64)]
ChatIdPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,128}$")]

UI_STREAM_DESCRIPTION = """The AI SDK's UI message stream (header
`x-vercel-ai-ui-message-stream: v1`): one `data: <JSON chunk>` event per chunk, `: ping`
comments while idle, `data: [DONE]` at the end. Chunks: `start` (`messageId`, and
`messageMetadata` with `stream_id` and `conversation_id`), `text-start`, `text-delta`
(`delta`: a token, exactly), `text-end`, `data-flows` (`id: "flows"`, `data`: the
`FlowsExtracted` of the SSE `metadata` event), `error` (`errorText`), `finish`
(`finishReason`, `messageMetadata`: the SSE `done` or `error` data). Each chunk's `id:` is
the id of the log event it comes from (the SSE endpoint's ids)."""


UI_EVENT: dict[str, Any] = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"const": "message"},
        "id": {"type": "string", "pattern": "^[0-9]+$"},
        "data": {
            "type": "string",
            "description": 'A UI message chunk as JSON (`{"type": …}`), or `[DONE]` last',
        },
    },
}
"""One event of the UI message stream, read as SSE (OpenAPI 3.2's `itemSchema`)."""

CHAT_LINKS = {
    op: {
        "operationId": op_id,
        "parameters": {
            "path.context_id": "$request.path.context_id",
            "path.chat_id": "$request.body#/id",
        },
        "description": description,
    }
    for op, op_id, description in (
        ("ResumeChat", "ai_sdk_resume", "Resume the chat's running turn (`204` once it ended)"),
        ("StopChat", "ai_sdk_stop", "Stop the chat's turn"),
    )
}
"""From a chat turn to the operations that take its chat id."""


def _ui_stream(
    extra: dict[int | str, dict[str, Any]] | None = None, links: dict[str, Any] | None = None
) -> Responses:
    return {
        200: {
            **({"links": links} if links else {}),
            "description": UI_STREAM_DESCRIPTION,
            "headers": {
                "x-vercel-ai-ui-message-stream": {"schema": {"type": "string", "const": "v1"}},
                "X-Stream-Id": {
                    "description": "The turn's stream id",
                    "schema": {"type": "string"},
                },
            },
            "content": {
                "text/event-stream": {
                    "schema": {"type": "array", "description": "The events, in order"},
                    "itemSchema": UI_EVENT,
                }
            },
        },
        **(extra or {}),
    }


@router.post(
    "",
    operation_id="ai_sdk_chat",
    response_class=EventStreamResponse,
    status_code=200,
    responses={
        **_ui_stream(links=CHAT_LINKS),
        **start_errors(401, 403, 404, 413, 415, 422, 429, 502, 503, 504),
    },
)
async def ai_sdk_chat(
    request: Request,
    context_id: ContextId,
    body: UIChatRequest,
    user_id: CurrentUser,
    chats: Chats,
) -> EventStreamResponse:
    """A chat turn for `useChat`: the body `DefaultChatTransport` sends (`id`, `messages`
    with `parts`, `trigger`, `messageId`). The chat `id` is remembered per user: the next
    turn of the same chat continues its conversation; a `regenerate-message` starts a new
    conversation with the history as sent."""
    slot = getattr(request.state, "start_slot", None)  # taken by server/start_gate.py
    gone = http_gone(request.receive)
    stream = await chats.start(user_id, context_id, body, gone=gone, slot=slot)
    return EventStreamResponse(
        stream,
        chats.chat.policy.reader,
        framing=UIMessageFraming(stream),
        headers=UI_MESSAGE_STREAM_HEADERS,
    )


@router.get(
    "/{chat_id}/stream",
    operation_id="ai_sdk_resume",
    response_class=EventStreamResponse,
    status_code=200,
    responses={
        **_ui_stream(
            {204: {"description": "No stream of this chat is running (the SDK's `null`)"}}
        ),
        **json_errors(401, 403, 404, 422, 503),
    },
)
async def ai_sdk_resume(
    context_id: ContextId, chat_id: ChatIdPath, user_id: CurrentUser, chats: Chats
) -> Response:
    """`useChat({resume: true})`'s reconnect: the chat's running stream replayed from its
    start, then live; `204` when nothing is running for that chat; `404` when the context
    is not the caller's."""
    stream = await chats.active(user_id, context_id, chat_id)
    if stream is None:
        return Response(status_code=204)
    return EventStreamResponse(
        stream,
        chats.chat.policy.reader,
        framing=UIMessageFraming(stream),
        headers=UI_MESSAGE_STREAM_HEADERS,
    )


@router.post("/{chat_id}/stop", operation_id="ai_sdk_stop", responses=MISSING)
async def ai_sdk_stop(
    context_id: ContextId, chat_id: ChatIdPath, user_id: CurrentUser, chats: Chats
) -> StreamState:
    """Stop the chat's running turn (the AI SDK's "dedicated stop endpoint": `stop()`
    alone only closes the client's connection). Readers get `finish`; idempotent."""
    stream = await chats.stop(user_id, context_id, chat_id)
    return StreamState(
        stream_id=stream.id,
        conversation_id=stream.conversation_id,
        finished=stream.log.closed,
        stop_requested=stream.stop_reason is not None,
    )
