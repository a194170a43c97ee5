"""A minimal Server-Sent Events decoder for the providers' streamed answers.

The SDKs turn every streamed event into a tree of typed models built in pure Python, a
cost paid per token (`bench/README.md`). The providers read the body with this decoder
instead: per event one `bytes` object, which `json.loads` takes as is.

Framing follows the WHATWG rules: lines end with CRLF, LF or CR (a CR at the end of one
read may pair with an LF at the start of the next); an empty line ends an event; several
`data:` lines of one event are joined with LF; one space after the colon is dropped;
comments and the `event`, `id`, `retry` fields are ignored (every provider repeats the
event type inside the JSON); an event cut off by the end of the body is discarded.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from my_flow_api.services.ai.errors import AIBadOutputError

parse_json = json.JSONDecoder().decode
"""`json.loads` for one event's text, minus its per-call checks and encoding detection
(the caller decodes the UTF-8 bytes first), which run once per streamed token."""

_NL = b"\n"
_CR = b"\r"
_BLANK = b"\n\n"
_DATA = b"data: "
MAX_PENDING = 65536
"""An unfinished event longer than this is parsed line by line rather than kept whole."""
MAX_LINE_BYTES = 1024 * 1024
"""The longest line an upstream may send (1 MiB, far above any token's event): beyond
it the answer is a `provider_protocol_error`, so a body without line ends (garbage with a
200) costs at most this much memory per stream instead of growing until it ends."""


def line_too_long() -> AIBadOutputError:
    """The error of an upstream line over `MAX_LINE_BYTES`."""
    return AIBadOutputError(
        f"The provider sent a line longer than {MAX_LINE_BYTES} bytes",
        code="provider_protocol_error",
    )


async def sse_data(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The `data` of each complete event in a byte stream, in order.

    Fast path for what providers send (LF line ends, one `data: ` line per event): whole
    events are cut at blank lines and yielded without a per-line pass. Anything else (a
    CR, several lines, comments, other fields) goes through the line parser.
    """
    pending = b""
    data: list[bytes] = []
    async for chunk in chunks:
        if pending:
            chunk = pending + chunk
            pending = b""
        if not data and _CR not in chunk:
            *events, chunk = chunk.split(_BLANK)
            for event in events:
                if event.startswith(_DATA) and _NL not in event:
                    yield event[6:]
                else:
                    for found in _parse([*event.split(_NL), b""], data):
                        yield found
            if len(chunk) <= MAX_PENDING:
                pending = chunk
                continue
        lines = chunk.splitlines(keepends=True)
        # Keep an unterminated line, and a lone CR that an LF in the next read may complete.
        if lines and not lines[-1].endswith(_NL):
            pending = lines.pop()
            if len(pending) > MAX_LINE_BYTES:
                raise line_too_long()
        for found in _parse(lines, data):
            yield found
    if pending == _CR:  # the body ended with the CR of a blank line
        last = _end_event(data)
        if last is not None:
            yield last


def _parse(lines: list[bytes], data: list[bytes]) -> list[bytes]:
    """Feed complete lines; return the data of every event they complete."""
    found: list[bytes] = []
    for line in lines:
        line = line.rstrip(b"\r\n")
        if not line:
            event = _end_event(data)
            if event is not None:
                found.append(event)
        elif line.startswith(b"data:"):
            value = line[5:]
            data.append(value[1:] if value.startswith(b" ") else value)
    return found


def _end_event(data: list[bytes]) -> bytes | None:
    """The data of the event in `data` (then emptied), None if it had no data line."""
    if not data:
        return None
    event = data[0] if len(data) == 1 else _NL.join(data)
    data.clear()
    return event
