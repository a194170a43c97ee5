"""Decoding a response body that a server compressed although `identity` was asked for."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

import httpx2

_WBITS = {b"gzip": zlib.MAX_WBITS | 16, b"x-gzip": zlib.MAX_WBITS | 16, b"deflate": zlib.MAX_WBITS}


async def decoded(body: AsyncIterator[bytes], encoding: bytes) -> AsyncIterator[bytes]:
    """`body` decompressed: gzip and deflate (zlib-wrapped or raw); others are refused."""
    encoding = encoding.strip().lower()
    wbits = _WBITS.get(encoding)
    if wbits is None:
        raise httpx2.DecodingError(f"unsupported content-encoding {encoding!r}")
    decoder = zlib.decompressobj(wbits)
    first = True
    try:
        async for chunk in body:
            try:
                out = decoder.decompress(chunk)
            except zlib.error:
                if not (first and encoding == b"deflate"):
                    raise
                decoder = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, no zlib header
                out = decoder.decompress(chunk)
            first = False
            if out:
                yield out
        tail = decoder.flush()
    except zlib.error as exc:
        raise httpx2.DecodingError("malformed compressed body") from exc
    if tail:
        yield tail
