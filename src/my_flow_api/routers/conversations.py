"""Chat: stream a turn, stop it, resume it, and read stored conversations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import NonNegativeInt
from pydantic.json_schema import SkipJsonSchema

from my_flow_api.dependencies import Chat, ConversationRepo, CurrentUser, Paging, chat_service
from my_flow_api.errors import NotFoundError
from my_flow_api.models.chat import ChatRequest, StreamState
from my_flow_api.models.common import Page
from my_flow_api.models.conversation import Conversation, ConversationSummary
from my_flow_api.models.text import StorableText
from my_flow_api.routers.error_docs import (
    AUTHENTICATED,
    MISSING,
    Responses,
    json_errors,
    start_errors,
)
from my_flow_api.routers.stream_docs import (
    CONVERSATION_IN_PAGE,
    RESUME_CANCELLED,
    STREAM_LINKS,
    event_stream,
)
from my_flow_api.server.json_body import JSONBodyRoute
from my_flow_api.services.chat.admission import http_gone
from my_flow_api.services.streams.framing import FramingName, framing_for
from my_flow_api.services.streams.response import EventStreamResponse

router = APIRouter(
    prefix="/api/v1", tags=["conversations"], route_class=JSONBodyRoute, responses=AUTHENTICATED
)


# Optional, never null: the spec says `integer`, so no client sends `null` (or "null").
EventId = Annotated[NonNegativeInt | SkipJsonSchema[None], Query(alias="last_event_id")]
EventIdHeader = Annotated[NonNegativeInt | SkipJsonSchema[None], Header(alias="Last-Event-ID")]
Framing = Annotated[
    FramingName,
    Query(
        description="`text` (the default): a token's `data` is its text, on as many `data:` "
        'lines as it has lines. `json`: a token\'s `data` is `{"text": "<token>"}` on one '
        "line, for SSE clients that lose empty `data:` lines (a token that is exactly a "
        "line break). Named events are JSON either way."
    ),
]

STREAM_RESPONSES: Responses = {
    **event_stream(STREAM_LINKS),
    **start_errors(401, 403, 404, 409, 413, 415, 422, 429, 502, 503, 504),
}
RESUME_RESPONSES: Responses = {
    **event_stream(),
    204: {
        "description": "`Last-Event-ID` is at or after the stream's terminal event: nothing "
        "is left to send (an `EventSource` stops reconnecting)"
    },
    **json_errors(401, 403, 404, 422, 503),
}


@router.post(
    "/conversations/stream",
    operation_id="stream_chat",
    responses=STREAM_RESPONSES,
    response_class=EventStreamResponse,
    status_code=200,
)
async def stream_chat(
    request: Request,
    body: ChatRequest,
    user_id: CurrentUser,
    framing: Framing = FramingName.TEXT,
) -> EventStreamResponse:
    """Stream the assistant's answer token by token, then the extracted flows, then `done`."""
    chat = chat_service(request)  # and its reader policy: no dependency resolution per turn
    slot = getattr(request.state, "start_slot", None)  # taken by server/start_gate.py
    stream = await chat.start(user_id, body, gone=http_gone(request.receive), slot=slot)
    return EventStreamResponse(stream, chat.policy.reader, framing=framing_for(framing))


@router.get(
    "/conversations/streams/{stream_id}",
    operation_id="resume_stream",
    responses=RESUME_RESPONSES,
    response_class=EventStreamResponse,
    status_code=200,
)
async def resume_stream(
    stream_id: StorableText,
    user_id: CurrentUser,
    chat: Chat,
    last_event_id: EventId = None,
    last_event_id_header: EventIdHeader = None,
    framing: Framing = FramingName.TEXT,
) -> Response:
    """Replay the events after `Last-Event-ID` (header or query), then follow live;
    `204 No Content` once that id is at or after the terminal event."""
    stream = await chat.find(stream_id, user_id)
    after = (last_event_id_header if last_event_id_header is not None else last_event_id) or 0
    if stream.log.closed and after >= stream.log.last_id:
        return Response(status_code=204)
    return EventStreamResponse(
        stream, chat.policy.reader, after=after, framing=framing_for(framing)
    )


@router.post(
    "/conversations/streams/{stream_id}/cancel",
    operation_id="cancel_stream",
    responses={**MISSING, 200: {"links": RESUME_CANCELLED}},
)
async def cancel_stream(stream_id: StorableText, user_id: CurrentUser, chat: Chat) -> StreamState:
    """Stop generating; readers get a final `done` with `finish_reason: cancelled`."""
    stream = await chat.cancel(stream_id, user_id)
    return StreamState(
        stream_id=stream.id,
        conversation_id=stream.conversation_id,
        finished=stream.log.closed,
        stop_requested=stream.stop_reason is not None,
    )


@router.get(
    "/contexts/{context_id}/conversations",
    responses={**MISSING, 200: {"links": CONVERSATION_IN_PAGE}},
)
async def list_conversations(
    context_id: StorableText, user_id: CurrentUser, repo: ConversationRepo, page: Paging
) -> Page[ConversationSummary]:
    """Conversations of one of the user's contexts, newest first."""
    return await repo.list_by_context(user_id, context_id, page)


@router.get("/conversations/{conversation_id}", operation_id="get_conversation", responses=MISSING)
async def get_conversation(
    conversation_id: StorableText, user_id: CurrentUser, repo: ConversationRepo
) -> Conversation:
    """One of the user's conversations with all its messages."""
    conversation = await repo.get_by_id(conversation_id, user_id)
    if conversation is None:
        raise NotFoundError("Conversation not found")
    return conversation
