"""The AI SDK's UI message stream protocol as a reader of a stream's log.

Each stored event becomes the protocol's chunks: the first token opens a text part
(`text-start`), tokens are `text-delta`s, the flows are one `data-flows` part (with an `id`,
so a later update replaces it in place), `done` is `finish`, `error` is the protocol's
`error` then `finish`. The translation depends only on the log, so replaying a stream
from its start gives the same chunks in the same order (the AI SDK resumes by replay).
"""

from __future__ import annotations

import json
from typing import Any

from my_flow_api.services.streams.events import DONE, ERROR, METADATA, PING
from my_flow_api.services.streams.registry import ActiveStream
from my_flow_api.services.streams.wire import StoredEvent, decode

Chunk = dict[str, Any]

UI_MESSAGE_STREAM_HEADERS = {"x-vercel-ai-ui-message-stream": "v1"}
TEXT_PART_ID = "text"
FLOWS_PART_ID = "flows"
_FINISH_REASONS = {
    "stop": "stop",
    "length": "length",
    "content_filter": "content-filter",
    "tool_calls": "tool-calls",
}


def message_id(stream_id: str) -> str:
    """The assistant message's id: the same on every replay of the stream."""
    return f"msg-{stream_id}"


class UIMessageChunks:
    """Translates one stream's stored events, in order, into UI message chunks."""

    def __init__(self, stream: ActiveStream) -> None:
        self.stream = stream
        self._text_open = False

    def start(self) -> Chunk:
        """The first chunk: the message id, and the stream and conversation it belongs to."""
        return {
            "type": "start",
            "messageId": message_id(self.stream.id),
            "messageMetadata": {
                "stream_id": self.stream.id,
                "conversation_id": self.stream.conversation_id,
            },
        }

    def translate(self, event: StoredEvent) -> list[Chunk]:
        if event.is_token:
            opening: list[Chunk] = []
            if not self._text_open:
                self._text_open = True
                opening.append({"type": "text-start", "id": TEXT_PART_ID})
            return [*opening, {"type": "text-delta", "id": TEXT_PART_ID, "delta": event.data}]
        chunks = self._close_text()
        payload = event.payload()
        if event.name == METADATA:
            chunks.append({"type": "data-flows", "id": FLOWS_PART_ID, "data": payload})
        elif event.name == DONE:
            reason = _FINISH_REASONS.get(str(payload.get("finish_reason")), "other")
            chunks.append({"type": "finish", "finishReason": reason, "messageMetadata": payload})
        elif event.name == ERROR:
            chunks.append({"type": "error", "errorText": str(payload.get("error", ""))})
            chunks.append({"type": "finish", "finishReason": "error", "messageMetadata": payload})
        return chunks

    def _close_text(self) -> list[Chunk]:
        if not self._text_open:
            return []
        self._text_open = False
        return [{"type": "text-end", "id": TEXT_PART_ID}]


def _sse(chunk: Chunk, event_id: int | None = None) -> bytes:
    data = json.dumps(chunk, separators=(",", ":"), ensure_ascii=False)
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}data: {data}\n\n".encode()


class UIMessageFraming:
    """The UI message stream over SSE: `data: <chunk JSON>` per chunk (with the log's
    `id:`), `: ping` keep-alives, and `data: [DONE]` at the end."""

    def __init__(self, stream: ActiveStream) -> None:
        self.chunks = UIMessageChunks(stream)

    def head(self) -> bytes:
        return _sse(self.chunks.start())

    def frame(self, batch: list[bytes]) -> bytes:
        out = bytearray()
        for wire in batch:
            event = decode(wire)
            for chunk in self.chunks.translate(event):
                out += _sse(chunk, event.id)
        return bytes(out)

    def ping(self) -> bytes:
        return PING

    def tail(self) -> bytes:
        return b"data: [DONE]\n\n"
