"""The chat WebSocket's keep-alive: `my-flow serve` pings an idle socket every
`SSE_PING_SECONDS` (the same setting as an idle SSE stream's `: ping`), seen by a client
that answers pings itself (aiohttp with `autoping=False`)."""

from __future__ import annotations

import time

import aiohttp
import pytest

from tests.integration.test_local_exposure import env, serving  # noqa: F401 (fixture)

pytestmark = pytest.mark.integration


async def test_an_idle_chat_socket_is_pinged_every_sse_ping_interval(
    env: dict[str, str],  # noqa: F811
) -> None:
    async with serving({**env, "SSE_PING_SECONDS": "0.5"}) as (client, _):
        url = str(client.base_url).replace("http://", "ws://") + "/api/v1/chat/socket"
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(url, autoping=False) as socket,
        ):
            seen: list[float] = []
            while len(seen) < 3:
                message = await socket.receive(timeout=5)
                assert message.type is aiohttp.WSMsgType.PING, message
                await socket.pong(message.data)
                seen.append(time.monotonic())
    elapsed = seen[-1] - seen[0]
    assert 0.5 < elapsed < 4, elapsed  # two intervals of 0.5 s, not uvicorn's 20 s default
