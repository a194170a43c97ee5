"""A small real HTTP/1.1 server for fake upstream APIs.

It listens on 127.0.0.1 (port 0) and runs its own asyncio loop in a daemon thread, so the
code under test talks to it over real sockets with its real HTTP client, from any event
loop. Requests are recorded; streamed responses use chunked transfer encoding, can be
paced, cut off abruptly, and notice when the client goes away (`closed_event`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
import threading
from dataclasses import dataclass
from typing import Any, Self

_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it (header names lower-cased)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON (None when empty)."""
        return json.loads(self.body) if self.body else None


class ClientGoneError(Exception):
    """The client closed the connection before the response was complete."""


class Exchange:
    """The response side of one request."""

    def __init__(
        self, server: FakeHTTPServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self._server = server
        self._reader = reader
        self._writer = writer
        self._watch: asyncio.Future[bytes] | None = None
        self.finished = True

    async def send_json(
        self, status: int, payload: object, headers: dict[str, str] | None = None
    ) -> None:
        """A complete JSON response with a Content-Length."""
        body = json.dumps(payload, ensure_ascii=False).encode()
        head = self._head(status, {"content-type": "application/json", **(headers or {})})
        self._writer.write(head + f"content-length: {len(body)}\r\n\r\n".encode() + body)
        await self._drain()

    async def start_stream(self, content_type: str = "text/event-stream") -> None:
        """Send 200 headers for a chunked body and start watching for the client leaving."""
        head = self._head(200, {"content-type": content_type, "cache-control": "no-cache"})
        self._writer.write(head + b"transfer-encoding: chunked\r\n\r\n")
        self.finished = False
        self._watch = asyncio.ensure_future(self._reader.read(1))
        await self._drain()

    async def send(self, data: bytes) -> None:
        """Send one body chunk (an empty `data` is skipped: it would end the body)."""
        if self._watch is not None and self._watch.done():
            self._gone()
        if data:
            self._writer.write(b"%x\r\n%b\r\n" % (len(data), data))
            await self._drain()

    async def pause(self, seconds: float) -> None:
        """Wait, but stop at once (raising `ClientGoneError`) if the client closes meanwhile."""
        if self._watch is None:
            await asyncio.sleep(seconds)
            return
        done, _ = await asyncio.wait({self._watch}, timeout=seconds)
        if done:
            self._gone()

    async def end_stream(self) -> None:
        """Send the terminating chunk: the body is complete."""
        self._writer.write(b"0\r\n\r\n")
        await self._drain()
        self.finished = True
        await self._stop_watch()

    async def emit(
        self,
        head: list[bytes],
        tokens: list[bytes],
        tail: list[bytes],
        *,
        delay: float = 0.0,
        batch: bool = False,
    ) -> None:
        """Send events: `head` at once, `tokens` one write each `delay` apart, then `tail`.

        `batch` sends everything in one write (for benchmarks that measure the client).
        """
        if batch:
            await self.send(b"".join(head + tokens + tail))
            return
        await self.send(b"".join(head))
        for i, data in enumerate(tokens):
            if i and delay:
                await self.pause(delay)
            await self.send(data)
        await self.send(b"".join(tail))

    def drop(self) -> None:
        """Cut the connection in the middle of the body, as a crashed upstream would."""
        self._writer.transport.abort()

    def _head(self, status: int, headers: dict[str, str]) -> bytes:
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
        return ("\r\n".join(lines + [f"{k}: {v}" for k, v in headers.items()]) + "\r\n").encode()

    async def _drain(self) -> None:
        try:
            await self._writer.drain()
        except ConnectionError:
            self._gone()

    def _gone(self) -> None:
        if not self.finished:
            self._server.disconnects += 1
            self._server.closed_event.set()
        raise ClientGoneError

    async def _stop_watch(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await self._watch
            self._watch = None


class FakeHTTPServer:
    """Base of the fake upstreams: subclasses implement `handle(request, exchange)`."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.closed_event = threading.Event()
        """Set when a client closed its connection while a streamed body was still going."""
        self.disconnects = 0
        self.port = 0
        self.ssl_context: ssl.SSLContext | None = None
        """Set before `start()` to serve HTTPS (on `https://localhost:<port>`)."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>`, or `https://localhost:<port>` with TLS."""
        if self.ssl_context is not None:
            return f"https://localhost:{self.port}"
        return f"http://127.0.0.1:{self.port}"

    async def handle(self, request: RecordedRequest, exchange: Exchange) -> None:
        """Answer one request."""
        raise NotImplementedError

    async def wait_closed(self, seconds: float = 5.0) -> bool:
        """Wait (without blocking the caller's loop) until a client left mid-stream."""
        return await asyncio.to_thread(self.closed_event.wait, seconds)

    def start(self) -> Self:
        """Start listening; returns once the port is known."""
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake server did not start")
        return self

    def stop(self) -> None:
        """Close every connection and stop the server thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        with contextlib.suppress(RuntimeError):
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout=10)
        thread.join(timeout=10)
        self._loop = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        server = loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.ssl_context)
        )
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        try:
            loop.run_forever()
        finally:
            server.close()
            loop.run_until_complete(server.wait_closed())
            loop.close()

    async def _shutdown(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        asyncio.get_running_loop().stop()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while await self._one(reader, writer):
                pass
        except (ClientGoneError, ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return False
        first, *lines = head.decode("latin-1").split("\r\n")
        method, path, _ = first.split(" ", 2)
        headers = {}
        for line in lines:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        request = RecordedRequest(method, path, headers, body)
        self.requests.append(request)
        exchange = Exchange(self, reader, writer)
        await self.handle(request, exchange)
        await exchange._stop_watch()
        return exchange.finished and not writer.is_closing()
