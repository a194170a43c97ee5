"""RELAY-FLOOR: a bare Starlette app relaying the fake upstream with a minimal raw parser.

Per request: one raw asyncio connection to the upstream (`Connection: close`), the
`chat/completions` request with `stream: true`, then a loop that decodes the chunked body,
splits SSE events, `json.loads` each `data:` line and takes `choices[0].delta.content`.
The tokens found in one socket read go out as one ASGI send (as the endpoint's event-log
reader batches what arrived together), framed like the endpoint (`id:`/`data:` lines), then
`event: done`. The floor for any relay.

    python bench/servers/relay_floor.py --port 9003 --upstream http://127.0.0.1:9001/v1
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from _common import PATH, SSE_HEADERS, Chunked, serve
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

UPSTREAM = {"host": "127.0.0.1", "port": 0, "path": "/v1/chat/completions"}


def _sse_data(event_id: int, text: str) -> str:
    if "\n" in text or "\r" in text:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return f"id: {event_id}\n" + "".join(f"data: {line}\n" for line in lines) + "\n"
    return f"id: {event_id}\ndata: {text}\n\n"


async def _relay(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, chunked: bool
) -> AsyncIterator[bytes]:
    decoder = Chunked() if chunked else None
    pending = b""
    n = 0
    finish = None
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            if decoder is not None:
                data = decoder.feed(data)
            pending += data
            *events, pending = pending.split(b"\n\n")
            out = []
            ended = False
            for event in events:
                if not event.startswith(b"data: "):
                    continue
                payload = event[6:]
                if payload == b"[DONE]":
                    ended = True
                    break
                obj = json.loads(payload)
                choices = obj.get("choices")
                if choices:
                    choice = choices[0]
                    text = choice["delta"].get("content")
                    if text:
                        n += 1
                        out.append(_sse_data(n, text))
                    if choice.get("finish_reason"):
                        finish = choice["finish_reason"]
            if out:
                yield "".join(out).encode()
            if ended or (decoder is not None and decoder.done):
                break
        done = json.dumps({"finish_reason": finish, "tokens": n})
        yield f"id: {n + 1}\nevent: done\ndata: {done}\n\n".encode()
    finally:
        writer.close()


async def stream(request: Request) -> Response:
    body = json.loads(await request.body())
    payload = json.dumps(
        {
            "model": "gpt-bench",
            "messages": body["messages"],
            "stream": True,
            "stream_options": {"include_usage": True},
        }
    ).encode()
    reader, writer = await asyncio.open_connection(UPSTREAM["host"], UPSTREAM["port"])
    head = (
        f"POST {UPSTREAM['path']} HTTP/1.1\r\nHost: {UPSTREAM['host']}:{UPSTREAM['port']}\r\n"
        f"Content-Type: application/json\r\nAccept: text/event-stream\r\n"
        f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
    ).encode()
    writer.write(head + payload)
    response_head = await reader.readuntil(b"\r\n\r\n")
    if response_head[9:12] != b"200":
        writer.close()
        status = int(response_head[9:12])
        return JSONResponse({"error": "upstream failed", "status": status}, status_code=502)
    chunked = b"transfer-encoding: chunked" in response_head.lower()
    return StreamingResponse(
        _relay(reader, writer, chunked), media_type="text/event-stream", headers=SSE_HEADERS
    )


app = Starlette(routes=[Route(PATH, stream, methods=["POST"])])


def main() -> None:
    parser = argparse.ArgumentParser(description="RELAY-FLOOR benchmark server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True, help="OpenAI-compatible base URL (…/v1)")
    args = parser.parse_args()
    url = urlsplit(args.upstream)
    UPSTREAM.update(
        host=url.hostname or "127.0.0.1",
        port=url.port or 80,
        path=url.path.rstrip("/") + "/chat/completions",
    )
    serve(app, args.port)


if __name__ == "__main__":
    main()
