"""SSE events: their payloads (built from the models the OpenAPI spec documents, here
only) and their WHATWG-conformant wire encoding."""

from __future__ import annotations

import re
from collections.abc import Sequence

from my_flow_api.models.chat import FlowsExtracted, StreamDone, StreamError
from my_flow_api.models.flow import Flow
from my_flow_api.models.flow_change import FlowChange

TOKEN = ""  # token events carry no `event:` field
METADATA = "metadata"
DONE = "done"
ERROR = "error"
TERMINAL = frozenset({DONE, ERROR})

PING = b": ping\n\n"

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def encode(event_id: int, name: str, data: str) -> bytes:
    """Frame one event: `id:`, optional `event:`, one `data:` line per line of `data`.

    A spec-conformant parser joins the `data:` lines with LF and strips exactly one
    leading space after the colon, so every line is written as `data: <line>`:
    leading spaces, colons and lines such as `event: done` survive unchanged.
    SSE cannot carry a carriage return, so CR and CRLF arrive as LF.
    """
    head = f"id: {event_id}\n" if not name else f"id: {event_id}\nevent: {name}\n"
    if "\n" in data or "\r" in data:
        body = "".join(f"data: {line}\n" for line in _LINE_BREAK.split(data))
    else:
        body = f"data: {data}\n"
    return f"{head}{body}\n".encode()


def metadata_data(flows: Sequence[Flow], changes: Sequence[FlowChange] = ()) -> str:
    """The `metadata` event: the flows a turn created and the changes it made to open
    flows (the models the spec documents)."""
    return FlowsExtracted(
        flows=list(flows), extracted_flows=[f.id for f in flows], changes=list(changes)
    ).model_dump_json()


def done_data(done: StreamDone) -> str:
    """The `done` event."""
    return done.model_dump_json()


def error_data(code: str, message: str) -> str:
    """The `error` event: a sentence and a machine-readable code."""
    return StreamError(error=message, code=code).model_dump_json()


def token_text(wire: bytes) -> str | None:
    """The data of an encoded token event (None for a named event): the inverse of `encode`
    for what a replica that took over a dead owner's log must save as the partial answer."""
    lines = wire.decode().split("\n")
    if any(line.startswith("event: ") for line in lines):
        return None
    return "\n".join(line[6:] for line in lines if line.startswith("data: "))
