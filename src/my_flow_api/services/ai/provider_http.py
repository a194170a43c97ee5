"""The two requests a provider makes, sent without the SDK's per-call machinery.

The SDKs stay the source of truth for what a request carries (auth and version headers,
the platform headers, the base URL and its environment variables); only their per-call
machinery is skipped: option models, parameter typing, URL and header merging, retries
and typed responses cost about 0.4 ms per call, more than the request itself, and httpx2's
own client another 65 us (`bench/README.md`). Requests go out on the lean connection pool
(`transport.py`), or through httpx2 when a proxy applies. Every failure is an `httpx2`
exception or `ProviderStatusError`, which `errors_map.map_error` turns into the service's
errors.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, Protocol

import httpx2

from my_flow_api.services.ai.errors_map import ProviderStatusError
from my_flow_api.services.ai.senders import HttpxSender, LeanSender, ProviderResponse, Sender
from my_flow_api.services.ai.transport import proxy_applies

MAX_ERROR_BODY_BYTES = 64 * 1024
EVENT_STREAM = "text/event-stream"
JSON = "application/json"


class SDKClient(Protocol):
    """What is read from an SDK client: its base URL and its request headers."""

    @property
    def base_url(self) -> httpx2.URL: ...

    @property
    def auth_headers(self) -> dict[str, str]: ...

    @property
    def default_headers(self) -> Mapping[str, object]: ...


def sender_for(base_url: str, headers: dict[str, str], timeout: float) -> Sender:
    """The lean pool unless a proxy applies to `base_url`, then httpx2's proxy-aware client."""
    if proxy_applies(base_url):
        return HttpxSender(base_url, headers, timeout)
    return LeanSender(base_url, headers, timeout)


class ProviderHTTP:
    """POSTs JSON to `base_url + path` with the SDK client's headers."""

    def __init__(self, sdk: SDKClient, timeout: float) -> None:
        base = str(sdk.base_url).rstrip("/")
        headers = {k: v for k, v in sdk.default_headers.items() if isinstance(v, str)}
        headers.update(sdk.auth_headers)
        headers["Content-Type"] = JSON
        headers["Accept-Encoding"] = "identity"
        self.sender = sender_for(base, headers, timeout)

    @asynccontextmanager
    async def stream(
        self, path: str, payload: Mapping[str, Any], accept: str = EVENT_STREAM
    ) -> AsyncIterator[ProviderResponse]:
        """The response to a request, once its status is known to be a success (2xx)."""
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        response = await self.sender.open(path, body, accept)
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
        """Close the connection pool."""
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
