"""Provider requests through an HTTP proxy named by HTTP_PROXY / HTTPS_PROXY, or not (NO_PROXY).

The proxy is a tiny asyncio server written here: absolute-URI forwarding for plain http,
CONNECT tunnels for https. It records every request line it is sent.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from my_flow_api.models.conversation import Message, MessageRole
from my_flow_api.services.ai.service import AIService
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.services.support import FAST_RETRY, collect, settings_for, texts
from tests.support.tls import make_ca

pytestmark = pytest.mark.integration

HELLO = [Message(role=MessageRole.USER, content="Hello")]
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


class Proxy:
    """Forwards absolute-URI requests and tunnels CONNECT; `seen` holds the request lines."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.credentials: list[str | None] = []  # each request's Proxy-Authorization
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def __aenter__(self) -> Proxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._relay(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        line, _, rest = head.partition(b"\r\n")
        method, target, version = line.decode("latin-1").split(" ")
        self.seen.append(f"{method} {target}")
        fields = {
            name.strip().lower(): value.strip()
            for name, _, value in (
                entry.partition(":") for entry in rest.decode("latin-1").split("\r\n") if entry
            )
        }
        self.credentials.append(fields.get("proxy-authorization"))
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            up_reader, up_writer = await asyncio.open_connection(host, int(port))
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        else:
            url = urlsplit(target)
            assert url.hostname is not None
            assert url.port is not None
            up_reader, up_writer = await asyncio.open_connection(url.hostname, url.port)
            path = url.path + (f"?{url.query}" if url.query else "")
            up_writer.write(f"{method} {path} {version}\r\n".encode() + rest)
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            up_writer.close()


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    while data := await source.read(65536):
        sink.write(data)
        await sink.drain()
    with contextlib.suppress(OSError):
        sink.write_eof()


@pytest.fixture
def clean_proxy_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


@pytest.fixture
async def proxy() -> AsyncIterator[Proxy]:
    async with Proxy() as running:
        yield running


async def _hello(fake: FakeOpenAI) -> str:
    service = AIService.from_settings(settings_for(fake), retry=FAST_RETRY)
    try:
        return "".join(texts(await collect(service.stream_chat(HELLO, "ctx"))))
    finally:
        await service.aclose()


async def test_a_plain_http_request_goes_through_http_proxy(
    proxy: Proxy, fake_openai: FakeOpenAI, clean_proxy_env: pytest.MonkeyPatch
) -> None:
    clean_proxy_env.setenv("HTTP_PROXY", proxy.url)
    assert await _hello(fake_openai) == "Hello, world!"
    assert proxy.seen == [f"POST {fake_openai.base_url}/v1/chat/completions"]
    assert len(fake_openai.chat_requests) == 1


async def test_an_https_request_is_tunnelled_through_https_proxy(
    proxy: Proxy, tmp_path: Path, clean_proxy_env: pytest.MonkeyPatch
) -> None:
    ca = make_ca(tmp_path)
    clean_proxy_env.setenv("SSL_CERT_FILE", str(ca.cert_file))
    clean_proxy_env.setenv("HTTPS_PROXY", proxy.url)
    fake = FakeOpenAI()
    fake.ssl_context = ca.server_context(tmp_path)
    with fake:
        assert await _hello(fake) == "Hello, world!"
    assert proxy.seen == [f"CONNECT localhost:{fake.port}"]


async def test_no_proxy_sends_the_request_directly(
    proxy: Proxy, fake_openai: FakeOpenAI, clean_proxy_env: pytest.MonkeyPatch
) -> None:
    clean_proxy_env.setenv("HTTP_PROXY", proxy.url)
    clean_proxy_env.setenv("NO_PROXY", "127.0.0.1")
    assert await _hello(fake_openai) == "Hello, world!"
    assert proxy.seen == []


async def test_credentials_in_the_proxy_url_are_sent_to_the_proxy(
    proxy: Proxy, fake_openai: FakeOpenAI, clean_proxy_env: pytest.MonkeyPatch
) -> None:
    clean_proxy_env.setenv("HTTP_PROXY", proxy.url.replace("http://", "http://ann:s%3Dcret@"))
    assert await _hello(fake_openai) == "Hello, world!"
    expected = "Basic " + base64.b64encode(b"ann:s=cret").decode()
    assert proxy.credentials == [expected]
    assert proxy.seen == [f"POST {fake_openai.base_url}/v1/chat/completions"]
