"""The lean connection pool over real sockets: framing, reuse, failures, time-outs, TLS, proxies."""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import ipaddress
import json
import socket
import ssl
import struct
import zlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from my_flow_api.services.ai.provider_http import sender_for
from my_flow_api.services.ai.senders import HttpxSender, LeanSender
from my_flow_api.services.ai.transport import (
    LeanResponse,
    Pool,
    origin_of,
    proxy_applies,
    request_head,
)
from tests.integration.services.raw_http import RawServer, Reader, Writer, chunked, response

OK = b'{"ok":true}'
RPE = httpx2.RemoteProtocolError


class Client:
    """POSTs on a `Pool` to any URL (the providers' `LeanSender` has one base URL)."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None, timeout: float = 2.0) -> None:
        self.pool = Pool(ssl_context=ssl_context)
        self.timeout = timeout

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.pool.aclose()

    @asynccontextmanager
    async def stream(
        self, url: str, content: bytes = b"", headers: dict[str, str] | None = None
    ) -> AsyncIterator[LeanResponse]:
        parsed = httpx2.URL(url)
        head = request_head("POST", parsed, headers or {})
        head += b"Content-Length: %d\r\n\r\n" % len(content)
        resp = await self.pool.send(
            origin_of(parsed),
            head,
            content,
            connect_seconds=self.timeout,
            read_seconds=self.timeout,
        )
        try:
            yield resp
        finally:
            await resp.aclose()

    async def post(
        self, url: str, content: bytes = b"", headers: dict[str, str] | None = None
    ) -> bytes:
        async with self.stream(url, content, headers) as resp:
            return b"".join([chunk async for chunk in resp.chunks()])


def client(ssl_context: ssl.SSLContext | None = None) -> Client:
    return Client(ssl_context)


async def serve_ok(server: RawServer, reader: Reader, writer: Writer, _n: int) -> None:
    while await server.read_request(reader) is not None:
        writer.write(response(OK))


async def test_request_is_sent_as_built_and_keep_alive_reuses_one_connection() -> None:
    async with RawServer(serve_ok) as server, client() as http:
        first = await http.post(f"{server.url}/v1/chat?x=1", b'{"a":1}', headers={"X-K": "v"})
        second = await http.post(f"{server.url}/v1/chat", content=b"abc")
    assert json.loads(first) == {"ok": True}
    assert second == OK
    assert server.connections == 1
    sent = server.requests[0]
    assert sent.line == "POST /v1/chat?x=1 HTTP/1.1"
    assert sent.headers["x-k"] == "v"
    assert sent.headers["host"].startswith("127.0.0.1:")
    assert sent.body == b'{"a":1}'
    assert server.requests[1].body == b"abc"


async def test_chunked_body_cut_at_every_odd_place_arrives_whole() -> None:
    events = [f'data: {{"n": {i}}}\n\n'.encode() for i in range(50)]
    wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(events)

    async def handler(server: RawServer, reader: Reader, writer: Writer, _n: int) -> None:
        while await server.read_request(reader) is not None:
            for start in range(0, len(wire), 7):
                writer.write(wire[start : start + 7])
                await writer.drain()
                await asyncio.sleep(0)

    async with RawServer(handler) as server, client() as http:
        async with http.stream(server.url, content=b"{}") as resp:
            body = b"".join([piece async for piece in resp.chunks()])
        again = await http.post(server.url, content=b"{}")
    assert body == b"".join(events)
    assert again == b"".join(events)
    assert server.connections == 1


async def test_body_until_close_is_complete_and_not_reused() -> None:
    async def handler(server: RawServer, reader: Reader, writer: Writer, _n: int) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it")
        await writer.drain()

    async with RawServer(handler) as server, client() as http:
        assert (await http.post(server.url)) == b"all of it"
        assert (await http.post(server.url)) == b"all of it"
    assert server.connections == 2


async def test_idle_connection_closed_by_server_is_replaced_transparently() -> None:
    async def handler(server: RawServer, reader: Reader, writer: Writer, _n: int) -> None:
        await server.read_request(reader)
        writer.write(response(OK))  # keep-alive by default, then the server drops it
        await writer.drain()

    async with RawServer(handler) as server, client() as http:
        assert (await http.post(server.url)) == OK
        await asyncio.sleep(0.05)
        assert (await http.post(server.url)) == OK
    assert server.connections == 2


@pytest.mark.parametrize(
    ("wire", "error"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", httpx2.RemoteProtocolError),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", RPE),
        (b"NOT HTTP AT ALL\r\n\r\n", httpx2.RemoteProtocolError),
        (b"", httpx2.RemoteProtocolError),
    ],
    ids=["short-length", "cut-chunk", "garbage", "silent-close"],
)
async def test_broken_answers_raise_protocol_errors(wire: bytes, error: type[Exception]) -> None:
    async def handler(server: RawServer, reader: Reader, writer: Writer, _n: int) -> None:
        await server.read_request(reader)
        writer.write(wire)
        await writer.drain()

    async with RawServer(handler) as server, client() as http:
        with pytest.raises(error):
            await http.post(server.url)


async def test_a_silent_server_times_out_after_the_read_timeout() -> None:
    async def handler(server: RawServer, reader: Reader, writer: Writer, _n: int) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
        await writer.drain()
        await asyncio.sleep(5)

    loop = asyncio.get_running_loop()
    lean = Client(timeout=0.3)
    async with RawServer(handler) as server, lean as http:
        started = loop.time()
        async with http.stream(server.url) as resp:
            with pytest.raises(httpx2.ReadTimeout):
                async for _ in resp.chunks():
                    pass
    assert 0.25 < loop.time() - started < 1.5


async def test_a_slowly_dripping_body_does_not_time_out() -> None:
    async def handler(server: RawServer, reader: Reader, writer: Writer, _n: int) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in range(6):
            await asyncio.sleep(0.1)
            writer.write(b"1\r\nx\r\n")
            await writer.drain()
        writer.write(b"0\r\n\r\n")

    lean = Client(timeout=0.25)
    async with RawServer(handler) as server, lean as http:
        assert (await http.post(server.url)) == b"xxxxxx"


async def test_unreachable_server_is_a_connect_error() -> None:
    async with RawServer(serve_ok) as server:
        url = server.url
    async with client() as http:
        with pytest.raises(httpx2.ConnectError):
            await http.post(url)


async def test_abandoned_stream_closes_its_connection_and_is_not_reused() -> None:
    async def handler(server: RawServer, reader: Reader, writer: Writer, _n: int) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
        await writer.drain()
        await reader.read()  # until the client hangs up
        server.closed_by_client += 1

    async with RawServer(handler) as server, client() as http:
        for _ in range(2):
            async with http.stream(server.url) as resp:
                async for _chunk in resp.chunks():
                    break
        for _ in range(50):
            if server.closed_by_client == 2:
                break
            await asyncio.sleep(0.02)
    assert server.connections == 2
    assert server.closed_by_client == 2


def _self_signed(tmp: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    trusting = ssl.create_default_context(cafile=str(cert_file))
    return server, trusting


async def test_https_verifies_the_server_certificate(tmp_path: Path) -> None:
    server_ctx, trusting = _self_signed(tmp_path)
    async with RawServer(serve_ok, ssl_context=server_ctx) as server:
        async with client(ssl_context=trusting) as http:
            assert (await http.post(server.url)) == OK
            assert (await http.post(server.url)) == OK
        async with client() as http:  # the public CA bundle does not know this certificate
            with pytest.raises(httpx2.ConnectError):
                await http.post(server.url)
    assert server.connections == 1  # reused; a refused handshake never reaches the handler


async def test_a_configured_proxy_gets_httpx2s_own_transport(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    assert not proxy_applies("https://api.openai.com/v1")
    lean = sender_for("https://api.openai.com/v1", {}, 5.0)
    assert isinstance(lean, LeanSender)
    await lean.aclose()
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    assert proxy_applies("https://api.openai.com/v1")
    fallback = sender_for("https://api.openai.com/v1", {}, 5.0)
    assert isinstance(fallback, HttpxSender)
    await fallback.aclose()
    monkeypatch.setenv("NO_PROXY", "api.openai.com")
    assert not proxy_applies("https://api.openai.com/v1")


def _deflate_raw(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("encoding", "pack"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", _deflate_raw),
    ],
    ids=["gzip", "zlib-deflate", "raw-deflate"],
)
async def test_a_compressed_body_is_decoded_and_plain_ones_reuse_the_connection(
    encoding: str, pack: Callable[[bytes], bytes]
) -> None:
    events = [f"data: {i}\n\n".encode() for i in range(20)]
    plain = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(events)
    packed = pack(b"".join(events))
    zipped = (
        f"HTTP/1.1 200 OK\r\nContent-Encoding: {encoding}\r\n".encode()
        + f"Content-Length: {len(packed)}\r\n\r\n".encode()
        + packed
    )

    async def handler(server: RawServer, reader: Reader, writer: Writer, _n: int) -> None:
        while await server.read_request(reader) is not None:
            writer.write(zipped if len(server.requests) == 3 else plain)

    async with RawServer(handler) as server, client() as http:
        for _ in range(3):  # the third answer is compressed although identity was asked for
            assert await http.post(server.url) == b"".join(events)
    assert server.connections == 1


async def test_an_unknown_content_encoding_is_a_decoding_error() -> None:
    async def handler(server: RawServer, reader: Reader, writer: Writer, _n: int) -> None:
        await server.read_request(reader)
        writer.write(response(b"\x00\x01", extra="Content-Encoding: br\r\n"))

    async with RawServer(handler) as server, client() as http:
        with pytest.raises(httpx2.DecodingError):
            await http.post(server.url)


async def test_a_large_request_body_waits_for_a_slow_server_and_arrives_whole() -> None:
    body = bytes(range(256)) * (32 * 1024)  # 8 MiB: far beyond the socket buffers

    async def handler(server: RawServer, reader: Reader, writer: Writer, _n: int) -> None:
        await asyncio.sleep(0.2)  # the client's writes back up meanwhile
        await serve_ok(server, reader, writer, _n)

    async with RawServer(handler) as server, client() as http:
        assert (await http.post(server.url, content=body)) == OK
    assert server.requests[0].body == body


async def test_a_reader_that_falls_behind_stops_the_socket_being_read() -> None:
    piece, pieces = b"x" * 65536, 512  # 32 MiB
    sent = [0]

    async def handler(server: RawServer, reader: Reader, writer: Writer, _n: int) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in range(pieces):
            writer.write(b"10000\r\n" + piece + b"\r\n")
            await writer.drain()
            sent[0] += len(piece)
        writer.write(b"0\r\n\r\n")

    async with (
        RawServer(handler) as server,
        client() as http,
        http.stream(server.url) as resp,
    ):
        chunks = resp.chunks()
        received = len(await anext(chunks))
        await asyncio.sleep(0.3)  # not reading: the server must be held back
        held_back_at = sent[0]
        async for chunk in chunks:
            received += len(chunk)
    assert held_back_at < len(piece) * pieces // 2
    assert received == len(piece) * pieces


async def test_a_connection_reset_mid_body_is_a_read_error() -> None:
    async def handler(server: RawServer, reader: Reader, writer: Writer, _n: int) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
        await writer.drain()
        await asyncio.sleep(0.1)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()  # RST, not FIN

    async with (
        RawServer(handler) as server,
        client() as http,
        http.stream(server.url) as resp,
    ):
        with pytest.raises(httpx2.ReadError):
            async for _ in resp.chunks():
                pass


async def test_a_connection_paused_by_an_unread_body_is_reusable_once_given_back() -> None:
    big = b"x" * (300 * 1024)  # past the read pause, arriving whole while nobody reads

    async def handler(server: RawServer, reader: Reader, writer: Writer, _n: int) -> None:
        while await server.read_request(reader) is not None:
            writer.write(response(big if len(server.requests) == 1 else OK))

    async with RawServer(handler) as server, Client(timeout=1.0) as http:
        async with http.stream(server.url) as resp:
            await asyncio.sleep(0.2)  # all of it arrives; the socket stops being read
            assert resp.status == 200
        started = asyncio.get_running_loop().time()
        assert await http.post(server.url) == OK
        assert asyncio.get_running_loop().time() - started < 0.5  # not after a read timeout
    assert server.connections == 1
