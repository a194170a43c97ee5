"""`my-flow demo`: the whole job on the embedded defaults, in one command.

Starts the service on a free local port, prints the chat page's URL, mints a token, creates a
context, streams the story's sample request printing tokens as they arrive, prints the
extracted flows, exits.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator

import aiohttp

from my_flow_api.auth.local_keys import mint_local_token
from my_flow_api.config import ConfigError, Settings
from my_flow_api.main import create_app
from my_flow_api.server.local_server import running_server

SAMPLE = "I need to book a flight and call the client"
SERVE_HINT = "to keep chatting in a browser: uv run my-flow serve, then open http://127.0.0.1:8000/"


def _say(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


async def _chat(client: aiohttp.ClientSession, context_id: str) -> int:
    body = {"context_id": context_id, "messages": [{"role": "user", "content": SAMPLE}]}
    async with client.post("/api/v1/conversations/stream", json=body) as response:
        if response.status != 200:
            _say(f"\nthe stream failed: HTTP {response.status} {await response.text()}\n")
            return 1
        async for name, data in _events(response.content):
            if name == "message":
                _say(data)
            elif name == "metadata":
                flows = json.loads(data)["flows"]
                _say(f"\n\nExtracted {len(flows)} flow(s):\n")
                for flow in flows:
                    _say(f"  - [{flow['priority']}] {flow['title']}\n")
            elif name == "done":
                _say(f"\ndone: {data}\n")
                return 0
            elif name == "error":
                _say(f"\nerror: {data}\n")
                return 1
    _say("\nthe stream ended without a terminal event\n")
    return 1


async def _events(body: aiohttp.StreamReader) -> AsyncIterator[tuple[str, str]]:
    """(event name, data) of each event of this service's stream.

    Only what `services/streams/events.py` writes is read: `event:` and `data: ` lines, LF
    line ends; ids and `: ping` comments are skipped. httpx-sse reads only httpx responses,
    and the providers' decoder (`services/ai/sse.py`) keeps no event names.
    """
    name = "message"
    data: list[str] = []
    async for raw in body:
        line = raw.decode().rstrip("\n")
        if not line:
            if data:
                yield name, "\n".join(data)
            name, data = "message", []
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
        elif line.startswith("event:"):
            name = line[6:].removeprefix(" ")


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
        _say(f"chat page: {base_url}/ while the demo runs; {SERVE_HINT}\n")
        _say(f"context 'Work' = {context_id}\n\nuser: {SAMPLE}\nassistant: ")
        return await _chat(client, context_id)
