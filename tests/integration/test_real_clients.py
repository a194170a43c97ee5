"""The client libraries people already use, for real (`tests/node/`, pinned npm packages),
against the real service on a socket with the fake OpenAI upstream: the AI SDK's
DefaultChatTransport and WebSocketChatTransport, `eventsource` and
`@microsoft/fetch-event-source`. Each runs with streams in memory and on Redis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from my_flow_api.config import Settings
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.test_conversations_api import FLOWS, chat, new_context
from tests.support.app import Api, make_settings
from tests.support.node_clients import run_client
from tests.support.sse import read_events, wait_for_status

TOKENS = ["Hello", "\n", "world", "\n\n", "  two spaces", " — ", "🎉 ", "end\n"]
SLOW_TOKENS = [*TOKENS, *(f" t{i}" for i in range(30))]
FULL = "".join(TOKENS)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(tokens=TOKENS, extraction=FLOWS) as server:
        yield server


@pytest.fixture
def api_settings(tmp_path: Path, fake: FakeOpenAI, streams_mode: dict[str, Any]) -> Settings:
    return make_settings(
        tmp_path, **fake.settings_overrides(), **streams_mode, STREAM_FIRST_TOKEN_WAIT_SECONDS=3.0
    )


async def _context(api: Api, user: str = "alice") -> tuple[httpx.AsyncClient, str, str]:
    client = api.client(user)
    return client, api.token(user), await new_context(client)


def _titles(flows: list[dict[str, Any]]) -> list[str]:
    return sorted(flow["title"] for flow in flows[-1]["flows"])


async def test_ai_sdk_transport_gets_the_exact_text_and_the_flows(api: Api) -> None:
    _, token, context_id = await _context(api)
    seen = await run_client(
        "ai_chat.mjs", api.base_url, token, context_id, mode="send", chatId="c1"
    )
    first = seen["first"]
    assert first["text"] == FULL  # "\n" and "\n\n" tokens included, byte for byte
    assert first["textParts"] == 1
    assert _titles(first["flows"]) == ["Book a flight", "Call the client"]
    assert first["metadata"]["finish_reason"] == "stop"
    assert first["id"] == f"msg-{first['metadata']['stream_id']}"
    assert seen["resumeAfterEnd"] is None  # the SDK's resume gets 204: nothing is running


async def test_ai_sdk_stop_endpoint_stops_the_turn(api: Api, fake: FakeOpenAI) -> None:
    fake.script(tokens=SLOW_TOKENS, delay=0.1, extraction=FLOWS)
    client, token, context_id = await _context(api)
    seen = await run_client(
        "ai_chat.mjs", api.base_url, token, context_id, mode="stop", chatId="c2"
    )
    assert seen["stopped"]["status"] == 200
    assert seen["stopped"]["body"]["stop_requested"] is True
    text = seen["result"]["text"]
    assert text
    assert "".join(SLOW_TOKENS).startswith(text)
    assert text != "".join(SLOW_TOKENS)
    assert seen["result"]["metadata"]["finish_reason"] == "cancelled"
    await wait_for_status(client, context_id, "cancelled", within=5)


async def test_ai_sdk_reload_resumes_the_running_turn(api: Api, fake: FakeOpenAI) -> None:
    fake.script(tokens=SLOW_TOKENS, delay=0.05, extraction=FLOWS)
    _, token, context_id = await _context(api)
    seen = await run_client(
        "ai_chat.mjs", api.base_url, token, context_id, mode="resume", chatId="c3"
    )
    assert len(seen["before"]) >= 6
    assert seen["resumed"] is not None
    assert seen["resumed"]["text"] == "".join(SLOW_TOKENS)
    assert _titles(seen["resumed"]["flows"]) == ["Book a flight", "Call the client"]
    assert seen["resumeAfterEnd"] is None


async def test_eventsource_resumes_then_a_204_stops_it(api: Api, fake: FakeOpenAI) -> None:
    fake.script(tokens=SLOW_TOKENS, delay=0.05, extraction=FLOWS)
    client, token, context_id = await _context(api)
    async with client.stream("POST", "/api/v1/conversations/stream", json=chat(context_id)) as r:
        assert r.status_code == 200
        seen_before = await read_events(r, 3)
        stream_id = r.headers["x-stream-id"]
    seen = await run_client(
        "eventsource_resume.mjs",
        api.base_url,
        token,
        context_id,
        streamId=stream_id,
        lastEventId=seen_before[-1][2],
    )
    tokens = [e["data"] for e in seen["events"] if e["type"] == "message"]
    assert "".join(d for _, d, _ in seen_before) + "".join(tokens) == "".join(SLOW_TOKENS)
    assert [e["type"] for e in seen["events"]][-2:] == ["metadata", "done"]
    assert [int(e["id"]) for e in seen["events"]] == list(range(4, 4 + len(seen["events"])))
    # One reconnect after `done`, answered 204, and none after it: the client is closed.
    assert [req["status"] for req in seen["requests"]] == [200, 204]
    assert seen["closed"] is True
    assert seen["readyState"] == 2


async def test_fetch_event_source_gets_the_exact_text_with_the_json_framing(api: Api) -> None:
    _, token, context_id = await _context(api)
    seen = await run_client("fetch_event_source.mjs", api.base_url, token, context_id, text="hi")
    assert seen["json"]["text"] == FULL
    assert seen["json"]["names"] == ["message", "metadata", "done"]
    # The raw framing loses the "\n"-only token with this parser: why the option exists.
    assert seen["raw"]["text"] != FULL


async def test_ai_sdk_websocket_transport_holds_several_turns(api: Api) -> None:
    _, token, context_id = await _context(api)
    seen = await run_client(
        "ws_chat.mjs", api.base_url, token, context_id, mode="send", chatId="w1"
    )
    assert seen["result"]["text"] == FULL
    assert seen["again"]["text"] == FULL
    assert _titles(seen["result"]["flows"]) == ["Book a flight", "Call the client"]
    assert seen["result"]["metadata"]["finish_reason"] == "stop"
    assert seen["resumeAfterEnd"] is None  # `no-active`


async def test_ai_sdk_websocket_transport_resumes_after_a_reload(
    api: Api, fake: FakeOpenAI
) -> None:
    fake.script(tokens=SLOW_TOKENS, delay=0.05, extraction=FLOWS)
    _, token, context_id = await _context(api)
    seen = await run_client(
        "ws_chat.mjs", api.base_url, token, context_id, mode="resume", chatId="w2"
    )
    assert len(seen["before"]) >= 6
    assert seen["resumed"]["text"] == "".join(SLOW_TOKENS)


async def test_ai_sdk_websocket_abort_stops_the_turn(api: Api, fake: FakeOpenAI) -> None:
    fake.script(tokens=SLOW_TOKENS, delay=0.1, extraction=FLOWS)
    client, token, context_id = await _context(api)
    seen = await run_client(
        "ws_chat.mjs", api.base_url, token, context_id, mode="abort", chatId="w3"
    )
    assert seen["seen"]
    await wait_for_status(client, context_id, "cancelled", within=5)
