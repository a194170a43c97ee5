"""The two requests a provider makes, sent straight through its `httpx2` client.

The SDKs stay the source of truth for what a request carries (auth and version headers,
the platform headers, the base URL and its environment variables); only their per-call
machinery is skipped: option models, parameter typing, URL and header merging, retries
and typed responses cost about 0.4 ms per call, more than the request itself
(`bench/README.md`). Every failure is an `httpx2` exception or `ProviderStatusError`, which
`errors_map.map_error` turns into the service's errors.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, Protocol

import httpx2

from my_flow_api.services.ai.errors_map import ProviderStatusError
from my_flow_api.services.ai.transport import lean_http_client

MAX_ERROR_BODY_BYTES = 64 * 1024


class SDKClient(Protocol):
    """What is read from an SDK client: its base URL and its request headers."""

    @property
    def base_url(self) -> httpx2.URL: ...

    @property
    def auth_headers(self) -> dict[str, str]: ...

    @property
    def default_headers(self) -> Mapping[str, object]: ...


def http_client_for(base_url: str, timeout: float) -> httpx2.AsyncClient:
    """`LeanTransport` unless a proxy applies, then httpx2's own (proxy-aware) transport."""
    lean = lean_http_client(base_url, timeout)
    if lean is not None:
        return lean
    return httpx2.AsyncClient(timeout=timeout, follow_redirects=True)


class ProviderHTTP:
    """POSTs JSON to `base_url + path` with the SDK client's headers."""

    def __init__(self, sdk: SDKClient, http: httpx2.AsyncClient, timeout: float) -> None:
        self._http = http
        self._base = str(sdk.base_url).rstrip("/")
        self._urls: dict[str, httpx2.URL] = {}  # parsed once per path, not per request
        headers = {k: v for k, v in sdk.default_headers.items() if isinstance(v, str)}
        headers.update(sdk.auth_headers)
        headers["Content-Type"] = "application/json"
        headers["Accept-Encoding"] = "identity"
        self._headers = headers
        self._timeout = httpx2.Timeout(timeout).as_dict()

    @asynccontextmanager
    async def stream(self, path: str, payload: Mapping[str, Any]) -> AsyncIterator[httpx2.Response]:
        """The response to a streamed request, once its status is known to be a success."""
        request = self._request(path, payload, "text/event-stream")
        response = await self._http.send(request, stream=True)
        try:
            if response.status_code >= 400:
                await _fail(response)
            yield response
        finally:
            await response.aclose()

    async def post(self, path: str, payload: Mapping[str, Any]) -> Any:
        """The parsed JSON answer to a request."""
        async with self.stream(path, payload) as response:
            return json.loads(await response.aread())

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    def _request(self, path: str, payload: Mapping[str, Any], accept: str) -> httpx2.Request:
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        url = self._urls.get(path)
        if url is None:
            url = self._urls[path] = httpx2.URL(self._base + path)
        return httpx2.Request(
            "POST",
            url,
            headers={**self._headers, "Accept": accept},
            content=body,
            extensions={"timeout": self._timeout},
        )


async def _fail(response: httpx2.Response) -> None:
    raw = b""
    async for chunk in response.aiter_bytes():
        raw += chunk
        if len(raw) > MAX_ERROR_BODY_BYTES:
            break
    try:
        body: object = json.loads(raw)
    except ValueError:
        body = None
    raise ProviderStatusError(response.status_code, response.headers, body)
