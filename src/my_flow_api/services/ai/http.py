"""How a provider's request goes out: a POST on one aiohttp session, with one redirect policy.

`ProviderHTTP` is what a provider uses: a streamed POST or a JSON POST, with the provider's
headers (credentials, version header, base URL). The SDKs' request machinery and typed
responses cost more than the request itself (`bench/README.md`). Every failure is an aiohttp
exception or `ProviderStatusError`, which `errors_map.map_error` turns into the service's
errors.

The session is made on the first request (inside the running event loop) and closed by
`aclose`; a provider holds one, so a process holds one. A streamed answer keeps its
connection until it ends, so the per-host cap is how many answers can be relayed at once;
past it a request waits for a free connection, within the connect time-out.

Redirects: only 307 and 308 are followed (301-303 would turn the POST into a GET), at most
`MAX_REDIRECTS`, and only to the same origin, or from http to https on the same host and
the default port. Every request carries the provider's credentials (aiohttp's own redirect
handling drops `Authorization` across origins but not `x-api-key`), so a redirect to
another host or port, or from https down to http, is not followed: its 3xx answer is
returned, and reported as a configuration error naming the status.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from yarl import URL

from my_flow_api.http_client import env_proxy, new_session, tls_context
from my_flow_api.services.ai.errors_map import ProviderStatusError

SessionFactory = Callable[[], aiohttp.ClientSession]
"""Makes the session a provider sends on (it closes it); tests and embedders hand in their own."""

MAX_REDIRECTS = 3
FOLLOWED = frozenset({307, 308})
MAX_CONNECTIONS = 1024
MAX_CONNECTIONS_PER_HOST = 512
MAX_ERROR_BODY_BYTES = 64 * 1024
EVENT_STREAM = "text/event-stream"
JSON = "application/json"


class ProviderResponse:
    """A response whose head has arrived; read `chunks()` to the end, or `aclose()` it."""

    __slots__ = ("_response",)

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    @property
    def status(self) -> int:
        return self._response.status

    @property
    def headers(self) -> Mapping[str, str]:
        return self._response.headers

    def chunks(self) -> AsyncIterator[bytes]:
        """The body (decompressed when the server compressed it) as it arrives."""
        return self._response.content.iter_any()

    async def aclose(self) -> None:
        """Give the connection back once the body was read to its end, else drop it."""
        if self._response.content.at_eof():
            self._response.release()
        else:  # abandoned mid-body: the rest of it would spoil the next request
            self._response.close()


class Sender:
    """POSTs a body to `base_url + path` with the headers it was made with."""

    def __init__(
        self,
        base_url: str,
        headers: dict[str, str],
        timeout: float,
        session_factory: SessionFactory | None = None,
    ) -> None:
        self._base = base_url
        self._factory = session_factory
        self._headers = headers
        self._timeout = aiohttp.ClientTimeout(total=None, connect=timeout, sock_read=timeout)
        self._connect = timeout
        self._tls = tls_context()
        self._session: aiohttp.ClientSession | None = None
        self._proxy: URL | None = None
        self._urls: dict[str, URL] = {}  # by path: a provider posts to one or two

    async def open(
        self, path: str, body: bytes, accept: str, read_seconds: float | None = None
    ) -> ProviderResponse:
        """Send, following the redirects the policy allows; raises aiohttp's errors.

        `read_seconds`: the longest silence allowed while reading the answer (a
        `TimeoutError` then), by default the connect time-out; set on every request, so a
        session from a factory keeps it too."""
        session = self._session or self._start()
        headers = {**self._headers, "Accept": accept}
        read = self._connect if read_seconds is None else read_seconds
        timeout = aiohttp.ClientTimeout(total=None, connect=self._connect, sock_read=read)
        url = self._urls.get(path)
        if url is None:
            try:
                url = URL(self._base + path)
            except ValueError as exc:  # e.g. a port that is not a number
                raise aiohttp.InvalidURL(self._base) from exc
            if len(self._urls) < 16:
                self._urls[path] = url
        for _ in range(MAX_REDIRECTS + 1):
            response = await session.request(
                "POST",
                url,
                data=body,
                headers=headers,
                allow_redirects=False,
                proxy=self._proxy,
                timeout=timeout,
            )
            target = redirect_target(url, response.status, response.headers.get("Location"))
            if target is None:
                return ProviderResponse(response)
            response.release()
            url = target
        raise aiohttp.TooManyRedirects(response.request_info, (response,))

    async def aclose(self) -> None:
        """Close the session and its connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _start(self) -> aiohttp.ClientSession:
        # Redirects stay on the base URL's origin, so one proxy look-up serves them all.
        with contextlib.suppress(ValueError):  # a malformed base URL fails in `open`
            self._proxy = env_proxy(URL(self._base))
        if self._factory is not None:
            self._session = self._factory()
            return self._session
        self._session = new_session(
            self._tls,
            timeout=self._timeout,
            limit=MAX_CONNECTIONS,
            limit_per_host=MAX_CONNECTIONS_PER_HOST,
        )
        return self._session


def redirect_target(here: URL, status: int, location: str | None) -> URL | None:
    """Where a redirect that the policy follows points; None when it is not followed."""
    if status not in FOLLOWED or not location:
        return None
    try:
        there = here.join(URL(location))
    except ValueError:
        return None
    if there.host != here.host:
        return None
    same = there.scheme == here.scheme and there.port == here.port
    upgrade = here.scheme == "http" and there.scheme == "https" and there.port == 443
    return there if same or upgrade else None


class ProviderHTTP:
    """POSTs JSON to `base_url + path` with the provider's headers."""

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str],
        timeout: float,
        session_factory: SessionFactory | None = None,
        idle_timeout: float | None = None,
    ) -> None:
        self.idle_timeout = min(timeout, idle_timeout or timeout)
        """A streamed answer's longest silence (`AI_IDLE_TIMEOUT_SECONDS`): a provider
        that sent its headers and then nothing is a time-out well before the turn's cap."""
        # Identity: a compressing upstream may hold streamed tokens back in its buffer;
        # an answer compressed all the same is decoded by aiohttp.
        sent = {**headers, "Content-Type": JSON, "Accept-Encoding": "identity"}
        self.sender = Sender(base_url.rstrip("/"), sent, timeout, session_factory)

    @asynccontextmanager
    async def stream(
        self, path: str, payload: Mapping[str, Any], accept: str = EVENT_STREAM
    ) -> AsyncIterator[ProviderResponse]:
        """The response to a request, once its status is known to be a success (2xx)."""
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        idle = self.idle_timeout if accept == EVENT_STREAM else None
        response = await self.sender.open(path, body, accept, idle)
        try:
            if response.status >= 300:
                await _fail(response)
            yield response
        finally:
            await response.aclose()

    async def post(self, path: str, payload: Mapping[str, Any]) -> Any:
        """The parsed JSON answer to a request."""
        async with self.stream(path, payload, JSON) as response:
            return json.loads(b"".join([chunk async for chunk in response.chunks()]))

    async def aclose(self) -> None:
        """Close the session and its connections."""
        await self.sender.aclose()


async def _fail(response: ProviderResponse) -> None:
    raw = b""
    async for chunk in response.chunks():
        raw += chunk
        if len(raw) > MAX_ERROR_BODY_BYTES:
            break
    try:
        body: object = json.loads(raw)
    except ValueError:
        body = None
    raise ProviderStatusError(response.status, response.headers, body)
