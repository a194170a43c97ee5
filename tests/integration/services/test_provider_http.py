"""`ProviderHTTP` on aiohttp over real sockets: keep-alive, compressed answers, redirects."""

from __future__ import annotations

import asyncio
import gzip
import json
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from yarl import URL

from my_flow_api.config import load_settings
from my_flow_api.models.conversation import Message, MessageRole
from my_flow_api.services.ai.errors import AIConfigurationError
from my_flow_api.services.ai.http import ProviderHTTP, redirect_target
from my_flow_api.services.ai.service import AIService
from tests.integration.services.raw_http import Handler, RawServer, Reader, Writer, response
from tests.integration.services.support import FAST_RETRY, collect, texts
from tests.support.tls import make_ca

pytestmark = pytest.mark.integration

OK = b'{"ok":true}'
KEY = {"x-api-key": "sk-ant-test"}
HELLO = [Message(role=MessageRole.USER, content="Hello")]
SSE = (
    b"".join(
        b"data: " + json.dumps(event).encode() + b"\n\n"
        for event in [
            {"choices": [{"delta": {"content": "Hel"}}]},
            {"choices": [{"delta": {"content": "lo"}, "finish_reason": "stop"}]},
        ]
    )
    + b"data: [DONE]\n\n"
)


async def serve_ok(server: RawServer, reader: Reader, writer: Writer, _n: int) -> None:
    while await server.read_request(reader) is not None:
        writer.write(response(OK))


def _service(base_url: str) -> AIService:
    settings = load_settings(
        AI_PROVIDER="openai", OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=base_url, _env_file=None
    )
    return AIService.from_settings(settings, retry=FAST_RETRY)


async def test_keep_alive_reuses_one_connection() -> None:
    async with RawServer(serve_ok) as server:
        http = ProviderHTTP(server.url, KEY, 2.0)
        try:
            assert await http.post("/v1/a", {"n": 1}) == {"ok": True}
            assert await http.post("/v1/b", {"n": 2}) == {"ok": True}
        finally:
            await http.aclose()
    assert server.connections == 1
    first = server.requests[0]
    assert first.line == "POST /v1/a HTTP/1.1"
    assert first.headers["x-api-key"] == "sk-ant-test"
    assert first.headers["content-type"] == "application/json"
    assert first.headers["user-agent"].startswith("my-flow-api/")
    assert json.loads(first.body) == {"n": 1}


async def test_an_idle_connection_closed_by_the_server_is_replaced() -> None:
    async def handler(server: RawServer, reader: Reader, writer: Writer, _n: int) -> None:
        await server.read_request(reader)
        writer.write(response(OK))  # keep-alive by default, then the server drops it
        await writer.drain()
        await asyncio.sleep(0.05)

    async with RawServer(handler) as server:
        http = ProviderHTTP(server.url, KEY, 2.0)
        try:
            assert await http.post("/v1/a", {}) == {"ok": True}
            await asyncio.sleep(0.2)
            assert await http.post("/v1/a", {}) == {"ok": True}
        finally:
            await http.aclose()
    assert server.connections == 2


def _deflate_raw(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("encoding", "pack"),
    [("gzip", gzip.compress), ("deflate", zlib.compress), ("deflate", _deflate_raw)],
    ids=["gzip", "zlib-deflate", "raw-deflate"],
)
async def test_a_compressed_stream_is_decoded(
    encoding: str, pack: Callable[[bytes], bytes]
) -> None:
    packed = pack(SSE)

    async def handler(server: RawServer, reader: Reader, writer: Writer, _n: int) -> None:
        await server.read_request(reader)
        writer.write(
            f"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            f"Content-Encoding: {encoding}\r\nContent-Length: {len(packed)}\r\n\r\n".encode()
            + packed
        )
        await writer.drain()

    async with RawServer(handler) as server:
        service = _service(f"{server.url}/v1")
        try:
            chunks = await collect(service.stream_chat(HELLO, "ctx"))
        finally:
            await service.aclose()
    assert texts(chunks) == ["Hel", "lo"]
    assert server.requests[0].headers["accept-encoding"] == "identity"


def redirecting(location: str, status: str = "307 Temporary Redirect", times: int = 1) -> Handler:
    async def handler(server: RawServer, reader: Reader, writer: Writer, _n: int) -> None:
        while (request := await server.read_request(reader)) is not None:
            if len(server.requests) <= times and not request.line.startswith("POST /moved"):
                writer.write(response(b"", status=status, extra=f"Location: {location}\r\n"))
            else:
                writer.write(response(OK))

    return handler


@pytest.mark.parametrize("status", ["307 Temporary Redirect", "308 Permanent Redirect"])
async def test_a_same_origin_307_or_308_is_followed_with_body_and_credentials(
    status: str,
) -> None:
    async with RawServer(redirecting("/moved/chat", status)) as server:
        http = ProviderHTTP(server.url, KEY, 2.0)
        try:
            assert await http.post("/v1/chat", {"q": 1}) == {"ok": True}
        finally:
            await http.aclose()
    first, second = server.requests
    assert (first.line, second.line) == ("POST /v1/chat HTTP/1.1", "POST /moved/chat HTTP/1.1")
    assert second.body == first.body == b'{"q":1}'
    assert second.headers["x-api-key"] == "sk-ant-test"


async def _refused_redirect(server: RawServer) -> None:
    service = _service(f"{server.url}/v1")
    try:
        with pytest.raises(AIConfigurationError, match=r"redirected .* \(HTTP 30"):
            await collect(service.stream_chat(HELLO, "ctx"))
    finally:
        await service.aclose()
    assert len(server.requests) == 1  # neither followed nor retried


async def test_a_redirect_to_another_origin_is_not_followed() -> None:
    async with RawServer(serve_ok) as elsewhere:
        target = f"{elsewhere.url}/v1/chat/completions"
        async with RawServer(redirecting(target, "308 Permanent Redirect")) as server:
            await _refused_redirect(server)
    assert elsewhere.requests == []  # the credentials never left for the other origin


async def test_a_redirect_from_https_down_to_http_is_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca = make_ca(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.cert_file))
    async with RawServer(serve_ok) as plain:
        target = f"http://localhost:{URL(plain.url).port}/v1/chat/completions"
        tls = ca.server_context(tmp_path)
        async with RawServer(redirecting(target), ssl_context=tls) as server:
            await _refused_redirect(server)
    assert plain.requests == []


@pytest.mark.parametrize("status", ["301 Moved Permanently", "302 Found", "303 See Other"])
async def test_a_redirect_that_would_turn_the_post_into_a_get_is_not_followed(
    status: str,
) -> None:
    async with RawServer(redirecting("/moved/chat/completions", status)) as server:
        await _refused_redirect(server)


async def test_a_redirect_loop_ends_after_three_redirects() -> None:
    async with RawServer(redirecting("/v1/chat/completions", times=100)) as server:
        service = _service(f"{server.url}/v1")
        try:
            with pytest.raises(AIConfigurationError, match="too many times"):
                await collect(service.stream_chat(HELLO, "ctx"))
        finally:
            await service.aclose()
    assert len(server.requests) == 4


@pytest.mark.parametrize("base_url", ["http://h:port/v1", "api.example/v1", "ftp://h/v1"])
async def test_a_base_url_that_is_not_an_http_url_is_a_configuration_error(
    base_url: str,
) -> None:
    service = _service(base_url)
    try:
        with pytest.raises(AIConfigurationError, match=r"not a valid http\(s\) URL"):
            await collect(service.stream_chat(HELLO, "ctx"))
    finally:
        await service.aclose()


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
        ("https://api.x.com/v1/chat", "http://[::1", None),
    ],
)
def test_only_same_origin_redirects_or_an_upgrade_to_https_are_followed(
    here: str, location: str, followed: str | None
) -> None:
    target = redirect_target(URL(here), 307, location)
    assert (str(target) if target is not None else None) == followed
    assert redirect_target(URL(here), 302, location) is None
