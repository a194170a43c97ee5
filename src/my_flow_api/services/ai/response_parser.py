"""What `httptools` has parsed of one HTTP/1.1 response: its head, its body pieces, its end."""

from __future__ import annotations

import httptools


class ResponseParser:
    """The parser's callbacks and the state they build; `_reset()` before each response.

    Body pieces accumulate in `_pieces` (and `_buffered` counts their bytes) until the
    reader takes them; subclasses decide what the end of a response does (`_finished`).
    """

    complete: bool
    received_any: bool
    _spoiled: bool
    _buffered: int

    def _reset(self) -> None:
        self._parser = httptools.HttpResponseParser(self)
        self._head_done = False
        self._keep_alive = False
        self._until_close = False
        self._headers: list[tuple[bytes, bytes]] = []
        self._pieces: list[bytes] = []
        self.complete = False
        self.received_any = False

    def _finished(self) -> None:
        self.complete = True

    def on_message_begin(self) -> None:
        if self.complete:  # bytes after the end of the response: never reuse this connection
            self._spoiled = True

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        self._head_done = True
        self._keep_alive = self._parser.should_keep_alive()  # only valid inside callbacks
        names = {name.lower() for name, _ in self._headers}  # no length, no chunks: until close
        self._until_close = b"content-length" not in names and b"transfer-encoding" not in names

    def on_body(self, body: bytes) -> None:
        if not self.complete:
            self._pieces.append(body)
            self._buffered += len(body)

    def on_message_complete(self) -> None:
        if not self.complete:
            self._finished()
