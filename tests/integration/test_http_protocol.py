"""The request-head cap of the server protocol, on the in-process server (same protocol as
`my-flow serve`): a body is never counted as head, and a connection's later requests are
capped each on their own."""

from __future__ import annotations

import asyncio
import json
import re
from urllib.parse import urlsplit

from my_flow_api.server.http_protocol import MAX_HEAD_BYTES
from tests.support.app import Api


async def _exchange(api: Api, data: bytes) -> bytes:
    """Write `data` in one piece and read until the server closes."""
    url = urlsplit(api.base_url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    try:
        writer.write(data)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()


def _post(api: Api, body: bytes, connection: str = "close") -> bytes:
    head = (
        "POST /api/v1/contexts HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {api.token('alice')}\r\nContent-Length: {len(body)}\r\n"
        f"Connection: {connection}\r\n\r\n"
    )
    return head.encode() + body


async def test_a_large_body_in_the_same_read_as_the_head_is_not_head(api: Api) -> None:
    body = json.dumps({"name": "x", "icon": "y" * 30}).encode() + b" " * (4 * MAX_HEAD_BYTES)
    answer = await _exchange(api, _post(api, body))
    assert answer.startswith(b"HTTP/1.1 201 "), answer[:200]


async def test_each_request_on_a_connection_is_capped_on_its_own(api: Api) -> None:
    small = _post(api, b'{"name": "a"}', connection="keep-alive")
    big = b"GET /api/v1/health HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * MAX_HEAD_BYTES + b"\r\n\r\n"
    answer = await _exchange(api, small + small + big)
    statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", answer)
    assert statuses == [b"201", b"201", b"431"]
