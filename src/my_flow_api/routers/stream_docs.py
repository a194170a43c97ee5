"""The OpenAPI description of the `text/event-stream` answers: their events, their
`X-Stream-Id` header and the links from a new stream to its resume and cancel operations.

Each event is described the way FastAPI's own SSE routes and OpenAPI 3.2 do: an
`itemSchema` per event, with fields `event` (`message` when the line is absent), `id` and
`data`, and the JSON of `data` as `contentSchema`. Keep-alive `: ping` lines are comments,
not events, so no schema covers them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from my_flow_api.models.chat import FlowsExtracted, StreamDone, StreamError
from my_flow_api.routers.error_docs import Responses

COMPONENTS = "#/components/schemas/{model}"

EVENTS_DESCRIPTION = """Server-Sent Events, each with an `id:` (1, 2, …; send the last one
seen as `Last-Event-ID` to resume):

- no `event:` line (`message`): a **token** of the answer; `data` is its text (a token with
  line breaks spans several `data:` lines), or with `framing=json` `{"text": "<token>"}`.
- `event: metadata`: the flows extracted and saved (`FlowsExtracted`).
- `event: done`: the end (`StreamDone`; `finish_reason` is `stop`, `length`, `cancelled`,
  `max_duration`, …).
- `event: error`: the end after a failure (`StreamError`).
- `: ping` comment lines while nothing else is sent; the first event carries `retry: 3000`.

Exactly one `done` or `error` ends every stream."""

EXAMPLE = (
    "id: 1\ndata: I'll\n\nid: 2\ndata:  help\n\n: ping\n\n"
    'id: 3\nevent: metadata\ndata: {"event":"flows_extracted","flows":[],"extracted_flows":[]}'
    '\n\nid: 4\nevent: done\ndata: {"conversation_id":"c1","stream_id":"s1",'
    '"finish_reason":"stop","usage":{"input_tokens":9,"output_tokens":2},'
    '"response_length":9}\n\n'
)

STREAM_ID_HEADER = {
    "X-Stream-Id": {
        "description": "The stream's id, for resume and cancel",
        "schema": {"type": "string"},
    }
}


def _json_event(name: str, model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=COMPONENTS)
    # Its nested models (Flow, Usage …) are components already: the routes use them.
    schema.pop("$defs", None)
    return {
        "type": "object",
        "required": ["event", "data"],
        "properties": {
            "event": {"const": name},
            "id": {"type": "string", "pattern": "^[0-9]+$"},
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": schema,
            },
        },
    }


TOKEN_EVENT: dict[str, Any] = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"const": "message"},
        "id": {"type": "string", "pattern": "^[0-9]+$"},
        "data": {
            "type": "string",
            "description": 'A token of the answer (`framing=json`: `{"text": "<token>"}`)',
        },
    },
}

EVENT_SCHEMA: dict[str, Any] = {
    "oneOf": [
        TOKEN_EVENT,
        _json_event("metadata", FlowsExtracted),
        _json_event("done", StreamDone),
        _json_event("error", StreamError),
    ]
}


def event_stream(links: dict[str, Any] | None = None) -> Responses:
    """The `200` of an operation answering with a stream's events."""
    ok: dict[str, Any] = {
        "description": EVENTS_DESCRIPTION,
        "headers": STREAM_ID_HEADER,
        "content": {
            "text/event-stream": {
                # The whole stream read as its events (OpenAPI 3.2's reading, which
                # FastAPI's own SSE routes follow); it replaces FastAPI's `type: string`.
                "schema": {"type": "array", "description": "The events, in order"},
                "itemSchema": EVENT_SCHEMA,
                "example": EXAMPLE,
            }
        },
    }
    if links:
        ok["links"] = links
    return {200: ok}


STREAM_LINKS = {
    "ResumeStream": {
        "operationId": "resume_stream",
        "parameters": {"path.stream_id": "$response.header.X-Stream-Id"},
        "description": "Read the stream again from its start, or after `Last-Event-ID`",
    },
    "CancelStream": {
        "operationId": "cancel_stream",
        "parameters": {"path.stream_id": "$response.header.X-Stream-Id"},
        "description": "Stop the stream's generation",
    },
}
"""From a new stream to the operations that take its id (the `X-Stream-Id` header)."""

RESUME_CANCELLED = {
    "ResumeStream": {
        "operationId": "resume_stream",
        "parameters": {"path.stream_id": "$response.body#/stream_id"},
        "description": "Read the cancelled stream's events, ending with `done`",
    },
    "GetConversation": {
        "operationId": "get_conversation",
        "parameters": {"path.conversation_id": "$response.body#/conversation_id"},
        "description": "Read the conversation the stream recorded",
    },
}
"""From a cancelled stream to its events and its conversation."""

CHAT_IN_CONTEXT = {
    "StreamChat": {
        "operationId": "stream_chat",
        "requestBody": {"context_id": "$response.body#/id", "conversation_id": None},
        "description": "Start a conversation in the context just created",
    }
}
"""From a new context to a new conversation in it (the rest of the body is the caller's)."""

CONVERSATION_IN_PAGE = {
    "GetConversation": {
        "operationId": "get_conversation",
        "parameters": {"path.conversation_id": "$response.body#/items/0/id"},
        "description": "Read the newest conversation of the page",
    }
}
"""From a page of conversations to the first one's messages."""
