"""The two requests a provider makes: a streamed POST and a JSON POST, on `senders.Sender`.

Each provider computes what its requests carry (credentials, version header, base URL);
the SDKs' request machinery and typed responses cost more than the request itself
(`bench/README.md`). Every failure is an aiohttp exception or `ProviderStatusError`, which
`errors_map.map_error` turns into the service's errors.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from my_flow_api.services.ai.errors_map import ProviderStatusError
from my_flow_api.services.ai.senders import ProviderResponse, Sender

MAX_ERROR_BODY_BYTES = 64 * 1024
EVENT_STREAM = "text/event-stream"
JSON = "application/json"


class ProviderHTTP:
    """POSTs JSON to `base_url + path` with the provider's headers."""

    def __init__(self, base_url: str, headers: Mapping[str, str], timeout: float) -> None:
        # Identity: a compressing upstream may hold streamed tokens back in its buffer;
        # an answer compressed all the same is decoded by aiohttp.
        sent = {**headers, "Content-Type": JSON, "Accept-Encoding": "identity"}
        self.sender = Sender(base_url.rstrip("/"), sent, timeout)

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
