"""RELAY-FLOOR: a bare Starlette app relaying the fake upstream with a minimal parser.

Per request: the `chat/completions` request with `stream: true` through one of three
clients (`--client`): `raw`, a fresh asyncio connection (`Connection: close`) with a
hand-rolled chunked decoder, the floor for any relay; `httpx` or `aiohttp`, one pooled
client per process, what a relay built on that library costs. Then one loop
splits SSE events, `json.loads` each `data:` line and takes `choices[0].delta.content`.
The tokens found in one socket read go out as one ASGI send (as the endpoint's event-log
reader batches what arrived together), framed like the endpoint (`id:`/`data:` lines), then
`event: done`. The floor for any relay.

    python bench/servers/relay_floor.py --port 9003 --upstream http://127.0.0.1:9001/v1 \
        [--client raw|httpx|aiohttp]
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from _common import PATH, SSE_HEADERS, Chunked, serve
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

UPSTREAM: dict[str, Any] = {"host": "127.0.0.1", "port": 0, "path": "/v1/chat/completions"}


def _sse_data(event_id: int, text: str) -> str:
    if "\n" in text or "\r" in text:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return f"id: {event_id}\n" + "".join(f"data: {line}\n" for line in lines) + "\n"
    return f"id: {event_id}\ndata: {text}\n\n"


async def _relay(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """Body bytes (already de-chunked) in, the endpoint's framing out."""
    pending = b""
    n = 0
    finish = None
    async for data in chunks:
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
        if ended:
            break
    done = json.dumps({"finish_reason": finish, "tokens": n})
    yield f"id: {n + 1}\nevent: done\ndata: {done}\n\n".encode()


def _payload(body: bytes) -> bytes:
    messages = json.loads(body)["messages"]
    request = {
        "model": "gpt-bench",
        "messages": messages,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    return json.dumps(request).encode()


def _failed(status: int) -> Response:
    return JSONResponse({"error": "upstream failed", "status": status}, status_code=502)


def _streaming(chunks: AsyncIterator[bytes]) -> Response:
    return StreamingResponse(_relay(chunks), media_type="text/event-stream", headers=SSE_HEADERS)


async def _raw_chunks(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, chunked: bool
) -> AsyncIterator[bytes]:
    decoder = Chunked() if chunked else None
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            yield decoder.feed(data) if decoder is not None else data
            if decoder is not None and decoder.done:
                break
    finally:
        writer.close()


async def stream_raw(request: Request) -> Response:
    """A fresh raw asyncio connection per stream (`Connection: close`)."""
    payload = _payload(await request.body())
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
        return _failed(int(response_head[9:12]))
    chunked = b"transfer-encoding: chunked" in response_head.lower()
    return _streaming(_raw_chunks(reader, writer, chunked))


CLIENTS: dict[str, Any] = {}


async def _httpx_chunks(response: Any) -> AsyncIterator[bytes]:
    try:
        async for data in response.aiter_raw():
            yield data
    finally:
        await response.aclose()


async def stream_httpx(request: Request) -> Response:
    """One pooled `httpx.AsyncClient` per process, as a relay built on httpx would have."""
    import httpx

    client = CLIENTS.get("httpx")
    if client is None:
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=1000)
        client = CLIENTS["httpx"] = httpx.AsyncClient(timeout=60, limits=limits)
    upstream = client.build_request(
        "POST", UPSTREAM["url"], content=_payload(await request.body()), headers=HEADERS
    )
    response = await client.send(upstream, stream=True)
    if response.status_code != 200:
        await response.aclose()
        return _failed(response.status_code)
    return _streaming(_httpx_chunks(response))


async def _aiohttp_chunks(response: Any) -> AsyncIterator[bytes]:
    try:
        async for data in response.content.iter_any():
            yield data
    finally:
        response.release()


async def stream_aiohttp(request: Request) -> Response:
    """One pooled `aiohttp.ClientSession` per process, as the endpoint's providers use."""
    import aiohttp

    session = CLIENTS.get("aiohttp")
    if session is None:
        connector = aiohttp.TCPConnector(limit=0, limit_per_host=0)
        session = CLIENTS["aiohttp"] = aiohttp.ClientSession(connector=connector)
    response = await session.post(
        UPSTREAM["url"], data=_payload(await request.body()), headers=HEADERS
    )
    if response.status != 200:
        response.release()
        return _failed(response.status)
    return _streaming(_aiohttp_chunks(response))


HEADERS = {"Content-Type": "application/json", "Accept": "text/event-stream"}
HANDLERS = {"raw": stream_raw, "httpx": stream_httpx, "aiohttp": stream_aiohttp}


def main() -> None:
    parser = argparse.ArgumentParser(description="RELAY-FLOOR benchmark server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True, help="OpenAI-compatible base URL (…/v1)")
    parser.add_argument("--client", choices=sorted(HANDLERS), default="raw")
    args = parser.parse_args()
    url = urlsplit(args.upstream)
    UPSTREAM.update(
        host=url.hostname or "127.0.0.1",
        port=url.port or 80,
        path=url.path.rstrip("/") + "/chat/completions",
        url=args.upstream.rstrip("/") + "/chat/completions",
    )
    app = Starlette(routes=[Route(PATH, HANDLERS[args.client], methods=["POST"])])
    serve(app, args.port)


if __name__ == "__main__":
    main()
