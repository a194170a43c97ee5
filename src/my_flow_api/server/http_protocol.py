"""uvicorn's httptools protocol with a cap on the size of a request's head.

httptools puts no limit on the request line and headers: a client could send megabytes
of header (64 MiB took 6 s, parsed in memory) before the app saw the request. Here a head
over `MAX_HEAD_BYTES` is answered `431` and the connection closed. A head still arriving
is measured after every socket read, so it is refused as soon as it passes the cap; one
that arrived whole is measured when it is complete. `my-flow serve` and the in-process
server use this protocol; plain uvicorn takes
`--http my_flow_api.server.http_protocol:HeadLimitProtocol`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from uvicorn._types import ASGIReceiveCallable, ASGISendCallable, Scope
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

MAX_HEAD_BYTES = 64 * 1024
"""The request line and all header lines of one request, in bytes."""

HTTP_PROTOCOL = "my_flow_api.server.http_protocol:HeadLimitProtocol"
"""What to pass as uvicorn's `http` option."""

log = logging.getLogger("uvicorn.error")


def too_large_body() -> bytes:
    """The JSON body of the `431`, in the service's one error shape."""
    detail = f"Request headers exceed {MAX_HEAD_BYTES} bytes"
    return json.dumps({"detail": detail, "code": "headers_too_large"}).encode()


async def refuse_head(scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable) -> None:
    """The ASGI app that answers a request whose complete head is over the cap."""
    body = too_large_body()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 431, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def head_size(url: bytes, headers: list[tuple[bytes, bytes]]) -> int:
    """The size of a parsed head: the target and each `name: value` line."""
    return len(url) + sum(len(name) + len(value) + 4 for name, value in headers)


class HeadLimitProtocol(HttpToolsProtocol):
    """`HttpToolsProtocol` that refuses a request head over `MAX_HEAD_BYTES` with `431`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes: int | None = 0  # of the head being read; None while in a body
        self._head_restarted = False

    def data_received(self, data: bytes) -> None:
        self._head_restarted = False
        super().data_received(data)
        if self._head_bytes is None or self._head_restarted or self.transport.is_closing():
            return  # in a body, or a new head began inside this read: count from the next
        self._head_bytes += len(data)
        if self._head_bytes > MAX_HEAD_BYTES:
            self._refuse_partial_head()

    def on_headers_complete(self) -> None:
        self._head_bytes = None
        if head_size(self.url, self.headers) <= MAX_HEAD_BYTES:
            super().on_headers_complete()
            return
        app, self.app = self.app, refuse_head  # the request is served by `refuse_head`
        try:
            super().on_headers_complete()
        finally:
            self.app = app

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._head_bytes = 0
        self._head_restarted = True

    def _refuse_partial_head(self) -> None:
        log.warning("Request headers over %d bytes: connection closed", MAX_HEAD_BYTES)
        self._head_bytes = None
        if self.cycle is None or self.cycle.response_complete:  # nothing else on the wire
            body = too_large_body()
            self.transport.write(
                b"".join(
                    [
                        STATUS_LINE[431],
                        b"content-type: application/json\r\n",
                        b"content-length: " + str(len(body)).encode() + b"\r\n",
                        b"connection: close\r\n\r\n",
                        body,
                    ]
                )
            )
        self.transport.close()
