"""`LeanSender`: request heads built once, and which redirects it follows."""

from __future__ import annotations

import httpx2
import pytest

from my_flow_api.services.ai.senders import LeanSender
from tests.integration.services.raw_http import Handler, RawServer, Reader, Writer, response

OK = b'{"ok":true}'
AUTH = {"Authorization": "Bearer sk-test", "Content-Type": "application/json"}


def redirecting(location: str, status: str = "307 Temporary Redirect", times: int = 1) -> Handler:
    async def handler(server: RawServer, reader: Reader, writer: Writer, _n: int) -> None:
        while (request := await server.read_request(reader)) is not None:
            if len(server.requests) <= times and not request.line.startswith("POST /moved"):
                writer.write(response(b"", status=status, extra=f"Location: {location}\r\n"))
            else:
                writer.write(response(OK))

    return handler


async def _post(sender: LeanSender, path: str = "/v1/chat") -> tuple[int, bytes]:
    resp = await sender.open(path, b'{"q":1}', "application/json")
    try:
        return resp.status, b"".join([chunk async for chunk in resp.chunks()])
    finally:
        await resp.aclose()


async def test_a_same_site_307_is_followed_with_the_same_body_and_headers() -> None:
    async with RawServer(redirecting("/moved/chat")) as server:
        sender = LeanSender(server.url, AUTH, 2.0)
        try:
            assert await _post(sender) == (200, OK)
            assert await _post(sender) == (200, OK)  # the head for the path is reused
        finally:
            await sender.aclose()
    first, second = server.requests[0], server.requests[1]
    assert (first.line, second.line) == ("POST /v1/chat HTTP/1.1", "POST /moved/chat HTTP/1.1")
    assert second.body == first.body == b'{"q":1}'
    assert second.headers["authorization"] == "Bearer sk-test"
    assert second.headers["accept"] == "application/json"


async def test_a_redirect_to_another_site_is_not_followed() -> None:
    async with RawServer(
        redirecting("http://127.0.0.2:1/elsewhere", "308 Permanent Redirect")
    ) as s:
        sender = LeanSender(s.url, AUTH, 2.0)
        try:
            status, _ = await _post(sender)
        finally:
            await sender.aclose()
    assert status == 308
    assert len(s.requests) == 1  # the credentials never left for the other host


async def test_a_redirect_loop_ends_with_too_many_redirects() -> None:
    async with RawServer(redirecting("/v1/chat", times=100)) as server:
        sender = LeanSender(server.url, AUTH, 2.0)
        try:
            with pytest.raises(httpx2.TooManyRedirects):
                await _post(sender)
        finally:
            await sender.aclose()
    assert len(server.requests) == 4
