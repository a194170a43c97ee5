"""The `413` reaches a client that keeps uploading an oversized body while it reads the
answer: the server reads and drops the rest of the body (within bounds) before it closes,
so the connection ends cleanly instead of with a reset."""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlsplit

import pytest

from my_flow_api.server.body_limit import LINGER_BYTES_FACTOR, LINGER_IDLE_SECONDS
from tests.support.app import Api

BODY_BYTES = 5 * 1024 * 1024
CHUNK_BYTES = 64 * 1024
TRIES = 10
URL = "/api/v1/conversations/stream"


def _head(api: Api, framing: str, connection: str, length: int = BODY_BYTES) -> bytes:
    size = "Transfer-Encoding: chunked" if framing == "chunked" else f"Content-Length: {length}"
    return (
        f"POST {URL} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {api.token('alice')}\r\n{size}\r\n"
        f"Connection: {connection}\r\n\r\n"
    ).encode()


async def _upload(writer: asyncio.StreamWriter, framing: str, total: int) -> int:
    """Write `total` body bytes in chunks; returns how many went out."""
    sent = 0
    chunk = b"x" * CHUNK_BYTES
    while sent < total:
        writer.write(b"%x\r\n%b\r\n" % (len(chunk), chunk) if framing == "chunked" else chunk)
        await writer.drain()
        sent += len(chunk)
    if framing == "chunked":
        writer.write(b"0\r\n\r\n")
        await writer.drain()
    return sent


async def _exchange(api: Api, framing: str, connection: str) -> bytes:
    """Send the head, then upload the body while reading the answer until the server closes;
    a reset on either side raises."""
    url = urlsplit(api.base_url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    writer.write(_head(api, framing, connection))
    upload = asyncio.create_task(_upload(writer, framing, BODY_BYTES))
    try:
        answer = await asyncio.wait_for(reader.read(), 20)
        assert await upload == BODY_BYTES
        return answer
    finally:
        upload.cancel()
        writer.close()


@pytest.mark.parametrize("connection", ["keep-alive", "close"])
@pytest.mark.parametrize("framing", ["content-length", "chunked"])
async def test_a_client_uploading_while_it_reads_gets_the_whole_413(
    api: Api, framing: str, connection: str
) -> None:
    for _ in range(TRIES):
        answer = await _exchange(api, framing, connection)
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 413 "), answer[:200]
        assert b"\r\nconnection: close" in head.lower()
        assert json.loads(body)["code"] == "payload_too_large"


async def test_a_body_far_over_the_bound_is_cut_off(api: Api) -> None:
    bound = api.settings.MAX_BODY_BYTES * LINGER_BYTES_FACTOR
    endless = 8 * bound
    url = urlsplit(api.base_url)
    _reader, writer = await asyncio.open_connection(url.hostname, url.port)
    try:
        writer.write(_head(api, "content-length", "keep-alive", length=endless))
        upload = asyncio.create_task(_upload(writer, "content-length", endless))
        with pytest.raises(ConnectionError):
            await asyncio.wait_for(upload, 30)
    finally:
        writer.close()


async def test_a_client_that_stops_sending_is_let_go(api: Api) -> None:
    url = urlsplit(api.base_url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    try:
        writer.write(_head(api, "content-length", "keep-alive") + b"x" * CHUNK_BYTES)
        started = time.monotonic()
        answer = await asyncio.wait_for(reader.read(), 20)
        waited = time.monotonic() - started
    finally:
        writer.close()
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert waited < LINGER_IDLE_SECONDS + 3, f"the server held the connection {waited:.1f} s"
