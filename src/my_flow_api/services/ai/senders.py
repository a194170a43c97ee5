"""The two ways a provider's request goes out: the lean pool, or httpx2 behind a proxy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Protocol

import httpx2

from my_flow_api.services.ai.connection import Origin
from my_flow_api.services.ai.transport import LeanResponse, Pool, origin_of, request_head

MAX_REDIRECTS = 3
FOLLOWED = (307, 308)
"""Redirects that keep the method and body; the others would turn a POST into a GET."""


class ProviderResponse(Protocol):
    """A response whose head has arrived."""

    @property
    def status(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    def chunks(self) -> AsyncIterator[bytes]:
        """The (decoded) body as it arrives."""
        ...

    async def aclose(self) -> None: ...


class Sender(Protocol):
    """POSTs a body to `base URL + path`, with the headers it was made with."""

    async def open(self, path: str, body: bytes, accept: str) -> ProviderResponse: ...

    async def aclose(self) -> None: ...


class LeanSender:
    """Requests on a `Pool`; request heads are encoded once per path and `Accept`."""

    def __init__(self, base_url: str, headers: dict[str, str], timeout: float) -> None:
        self._base = base_url
        self._headers = headers
        self._timeout = timeout
        self._pool = Pool()
        self._heads: dict[tuple[str, str], tuple[Origin, bytes]] = {}

    async def open(self, path: str, body: bytes, accept: str) -> LeanResponse:
        """Send, following up to three same-site 307/308 redirects (credentials stay on-site,
        never downgraded to plain http)."""
        url = self._base + path
        origin, head = self._head(url, accept)
        for _ in range(MAX_REDIRECTS + 1):
            response = await self._pool.send(
                origin,
                head + b"Content-Length: %d\r\n\r\n" % len(body),
                body,
                connect_seconds=self._timeout,
                read_seconds=self._timeout,
            )
            try:
                target = _redirect_target(url, response)
            except httpx2.InvalidURL as exc:
                await response.aclose()
                raise httpx2.RemoteProtocolError("a redirect to an invalid location") from exc
            if target is None:
                return response
            await response.aclose()
            url = str(target)
            origin, head = origin_of(target), self._encode(target, accept)
        raise httpx2.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects")

    async def aclose(self) -> None:
        await self._pool.aclose()

    def _head(self, url: str, accept: str) -> tuple[Origin, bytes]:
        """Origin and encoded head for one of the provider's own URLs (cached)."""
        found = self._heads.get((url, accept))
        if found is None:
            parsed = httpx2.URL(url)
            found = self._heads[(url, accept)] = (origin_of(parsed), self._encode(parsed, accept))
        return found

    def _encode(self, url: httpx2.URL, accept: str) -> bytes:
        return request_head("POST", url, {**self._headers, "Accept": accept})


def _redirect_target(url: str, response: LeanResponse) -> httpx2.URL | None:
    """Where a followable redirect points: the same scheme, host and port, or the same host
    upgraded from http to https (default port); None when it is not to be followed."""
    if response.status not in FOLLOWED or "location" not in response.headers:
        return None
    here = httpx2.URL(url)
    there = here.join(response.headers["location"])
    if there.host != here.host:
        return None
    same = there.scheme == here.scheme and there.port == here.port
    upgrade = here.scheme == "http" and there.scheme == "https" and there.port in (None, 443)
    return there if same or upgrade else None


class HttpxSender:
    """Requests through httpx2's own client, which speaks the configured proxies."""

    def __init__(self, base_url: str, headers: dict[str, str], timeout: float) -> None:
        self._base = base_url
        self._headers = headers
        self._client = httpx2.AsyncClient(timeout=timeout, follow_redirects=True)

    async def open(self, path: str, body: bytes, accept: str) -> ProviderResponse:
        headers = {**self._headers, "Accept": accept}
        request = self._client.build_request(
            "POST", self._base + path, headers=headers, content=body
        )
        return _HttpxResponse(await self._client.send(request, stream=True))

    async def aclose(self) -> None:
        await self._client.aclose()


class _HttpxResponse:
    def __init__(self, response: httpx2.Response) -> None:
        self._response = response

    @property
    def status(self) -> int:
        return self._response.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        return self._response.headers

    def chunks(self) -> AsyncIterator[bytes]:
        return self._response.aiter_bytes()

    async def aclose(self) -> None:
        await self._response.aclose()
