"""`my-flow demo`: the whole job on the embedded defaults, in one command.

Starts the service on a free local port, mints a token, creates a context, streams the
story's sample request printing tokens as they arrive, prints the extracted flows, exits.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator

import aiohttp

from my_flow_api.config import ConfigError, Settings
from my_flow_api.local_server import running_server
from my_flow_api.main import create_app
from my_flow_api.middleware.local_keys import mint_local_token
from my_flow_api.sse_client import parse_sse

SAMPLE = "I need to book a flight and call the client"


def _say(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


async def _chat(client: aiohttp.ClientSession, context_id: str) -> int:
    body = {"context_id": context_id, "messages": [{"role": "user", "content": SAMPLE}]}
    async with client.post("/api/v1/conversations/stream", json=body) as response:
        if response.status != 200:
            _say(f"\nthe stream failed: HTTP {response.status} {await response.text()}\n")
            return 1
        async for event in parse_sse(_lines(response.content)):
            if event.event == "message":
                _say(event.data)
            elif event.event == "metadata":
                flows = json.loads(event.data)["flows"]
                _say(f"\n\nExtracted {len(flows)} flow(s):\n")
                for flow in flows:
                    _say(f"  - [{flow['priority']}] {flow['title']}\n")
            elif event.event == "done":
                _say(f"\ndone: {event.data}\n")
                return 0
            elif event.event == "error":
                _say(f"\nerror: {event.data}\n")
                return 1
    _say("\nthe stream ended without a terminal event\n")
    return 1


async def _lines(body: aiohttp.StreamReader) -> AsyncIterator[str]:
    async for line in body:
        yield line.decode().rstrip("\r\n")


async def run_demo(settings: Settings, port: int = 0) -> int:
    """Run the demo; 0 when the stream ended with `done`."""
    if not settings.local_auth:
        raise ConfigError("the demo mints its own token: unset LOGTO_ENDPOINT to run it")
    app = create_app(settings.model_copy(update={"LOG_LEVEL": "ERROR"}))
    token = mint_local_token(settings, "demo-user")
    headers = {"Authorization": f"Bearer {token}"}
    timeout = aiohttp.ClientTimeout(total=300)
    async with (
        running_server(app, port) as base_url,
        aiohttp.ClientSession(base_url, headers=headers, timeout=timeout) as client,
    ):
        context = {"name": "Work", "icon": "💼"}
        async with client.post("/api/v1/contexts", json=context, raise_for_status=True) as created:
            context_id = (await created.json())["id"]
        _say(f"my-flow API on {base_url} (AI_PROVIDER={settings.AI_PROVIDER.value})\n")
        _say(f"context 'Work' = {context_id}\n\nuser: {SAMPLE}\nassistant: ")
        return await _chat(client, context_id)
