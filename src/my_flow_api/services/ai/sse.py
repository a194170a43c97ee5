"""A minimal Server-Sent Events decoder for the providers' streamed answers.

The SDKs turn every streamed event into a tree of typed models (the OpenAI SDK builds about
ten objects per token in pure Python), which measured 5-30x the cost of reading the raw
bytes (`bench/README.md`). The providers therefore let the SDK make the request (auth,
base URL, headers, time-outs, HTTP errors) and read the body with this decoder: per event
one `bytes` object, which `json.loads` takes as is.

Framing follows the WHATWG rules: lines end with CRLF, LF or CR (a CR at the end of one
read may pair with an LF at the start of the next); an empty line ends an event; several
`data:` lines of one event are joined with LF; one space after the colon is dropped;
comments and the `event`, `id`, `retry` fields are ignored (every provider repeats the
event type inside the JSON); an event cut off by the end of the body is discarded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

_NL = b"\n"
_CR = b"\r"


async def sse_data(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The `data` of each complete event in a byte stream, in order."""
    pending = b""
    data: list[bytes] = []
    async for chunk in chunks:
        if pending:
            chunk = pending + chunk
        lines = chunk.splitlines(keepends=True)
        if not lines:
            continue
        # Keep an unterminated line, and a lone CR that an LF in the next read may complete.
        pending = b"" if lines[-1].endswith(_NL) else lines.pop()
        for line in lines:
            line = line.rstrip(b"\r\n")
            if not line:
                if data:
                    yield data[0] if len(data) == 1 else _NL.join(data)
                    data = []
            elif line.startswith(b"data:"):
                value = line[5:]
                data.append(value[1:] if value.startswith(b" ") else value)
    if pending == _CR and data:  # the body ended with the CR of a blank line
        yield data[0] if len(data) == 1 else _NL.join(data)
