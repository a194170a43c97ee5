"""`LeanSender`: request heads built once, and which redirects it follows (or refuses)."""

from __future__ import annotations

from typing import Any, cast

import httpx2
import pytest

from my_flow_api.config import load_settings
from my_flow_api.models.conversation import Message, MessageRole
from my_flow_api.services.ai.errors import AIConfigurationError
from my_flow_api.services.ai.senders import LeanSender, _redirect_target
from my_flow_api.services.ai.transport import LeanResponse, Pool
from my_flow_api.services.ai_service import AIService
from tests.integration.services.raw_http import Handler, RawServer, Reader, Writer, response
from tests.integration.services.support import FAST_RETRY, collect

OK = b'{"ok":true}'
AUTH = {"Authorization": "Bearer sk-test", "Content-Type": "application/json"}
HELLO = [Message(role=MessageRole.USER, content="Hello")]


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


@pytest.mark.parametrize(
    ("here", "location", "followed"),
    [
        ("https://api.x.com/v1/chat", "/v2/chat", "https://api.x.com/v2/chat"),
        ("http://api.x.com/v1/chat", "https://api.x.com/v1/chat", "https://api.x.com/v1/chat"),
        ("https://api.x.com/v1/chat", "http://api.x.com/v1/chat", None),  # never downgrade
        ("http://api.x.com:8080/v1", "https://api.x.com:8443/v1", None),
        ("https://api.x.com/v1/chat", "https://api.x.com:8443/v1/chat", None),
        ("https://api.x.com/v1/chat", "https://evil.example/v1/chat", None),
        ("https://api.x.com/v1/chat", "ftp://api.x.com/v1/chat", None),
    ],
)
def test_only_same_site_redirects_or_an_upgrade_to_https_are_followed(
    here: str, location: str, followed: str | None
) -> None:
    response = LeanResponse(307, [(b"Location", location.encode())], cast(Any, None), Pool())
    target = _redirect_target(here, response)
    assert (str(target) if target is not None else None) == followed


async def test_an_invalid_redirect_location_is_a_protocol_error_and_frees_the_connection() -> None:
    async with RawServer(redirecting("http://[::1")) as server:
        sender = LeanSender(server.url, AUTH, 2.0)
        try:
            with pytest.raises(httpx2.RemoteProtocolError):
                await _post(sender)
            assert await _post(sender, "/moved/chat") == (200, OK)  # the connection was reused
        finally:
            await sender.aclose()
    assert server.connections == 1


@pytest.mark.parametrize("status", ["301 Moved Permanently", "302 Found", "303 See Other"])
async def test_a_redirect_that_is_not_followed_is_a_configuration_error(status: str) -> None:
    moved = redirecting("https://elsewhere.example/v1/chat/completions", status)
    async with RawServer(moved) as server:
        settings = load_settings(
            AI_PROVIDER="openai",
            OPENAI_API_KEY="sk-test",
            OPENAI_BASE_URL=f"{server.url}/v1",
            _env_file=None,
        )
        service = AIService.from_settings(settings, retry=FAST_RETRY)
        try:
            with pytest.raises(AIConfigurationError, match=r"redirected .* \(HTTP 30"):
                await collect(service.stream_chat(HELLO, "ctx-1"))
        finally:
            await service.aclose()
    assert len(server.requests) == 1  # neither followed nor retried
