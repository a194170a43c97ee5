"""How a reader of a stream's log frames what it sends: the story's raw SSE (the default)
or the opt-in JSON framing, in which a token's data is a JSON object too.

Raw SSE cannot carry some texts to every client: `@microsoft/fetch-event-source`, for one,
drops an empty `data:` line, so a token that is exactly "\\n" is lost. With the JSON
framing every event's data is one JSON line, and any parser gets the exact text back.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Protocol

from my_flow_api.services.streams.events import PING
from my_flow_api.services.streams.wire import decode

RETRY_MS = 3000
RETRY = f"retry: {RETRY_MS}\n".encode()
"""The first event of every SSE response carries it: how long an `EventSource` waits
before reconnecting (a resume after the end then answers `204`, which stops it for good).
It rides on an event rather than on a block of its own, which some parsers (httpx-sse,
fetch-event-source) would hand out as an empty message."""


class FramingName(StrEnum):
    """The `framing` query parameter of the SSE endpoints."""

    TEXT = "text"
    JSON = "json"


class Framing(Protocol):
    """Turns batches of stored events into the bytes of one response."""

    def head(self) -> bytes:
        """Sent once, before any event."""
        ...

    def frame(self, batch: list[bytes]) -> bytes:
        """A non-empty batch of stored events, as sent."""
        ...

    def ping(self) -> bytes:
        """A keep-alive while nothing else is sent."""
        ...

    def tail(self) -> bytes:
        """Sent once after the terminal event."""
        ...


class TextFraming:
    """The story's SSE: the stored events as they are, the first with the `retry:` hint."""

    def __init__(self) -> None:
        self._hinted = False

    def head(self) -> bytes:
        return b""

    def frame(self, batch: list[bytes]) -> bytes:
        body = batch[0] if len(batch) == 1 else b"".join(batch)
        if self._hinted:
            return body
        self._hinted = True
        return RETRY + body

    def ping(self) -> bytes:
        return PING

    def tail(self) -> bytes:
        return b""


class JsonFraming(TextFraming):
    """Like the story's SSE, but a token's data is `{"text": "<token>"}` (one line)."""

    def frame(self, batch: list[bytes]) -> bytes:
        return super().frame([_json_token(wire) for wire in batch])


def _json_token(wire: bytes) -> bytes:
    if wire.startswith(b"id: ") and b"\nevent: " not in wire:
        event = decode(wire)
        data = json.dumps({"text": event.data}, separators=(",", ":"), ensure_ascii=False)
        return f"id: {event.id}\ndata: {data}\n\n".encode()
    return wire  # metadata, done and error carry one line of JSON already


def framing_for(name: FramingName) -> Framing:
    return JsonFraming() if name is FramingName.JSON else TextFraming()
