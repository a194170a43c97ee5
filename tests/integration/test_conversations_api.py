"""`POST /api/v1/conversations/stream` end to end: a real server socket, a real store,
local-mode tokens, and a fake OpenAI-compatible upstream on 127.0.0.1."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from httpx_sse import aconnect_sse

from my_flow_api.config import Settings
from tests.fakes.openai_server import FakeOpenAI
from tests.support.app import Api, make_settings

URL = "/api/v1/conversations/stream"
SAMPLE = "I need to book a flight and call the client"
TRICKY = [
    "Sure",
    " — ",
    "  leading",
    "\n",
    "line\r\nbreak",
    "\n\n",
    "data: x",
    ": colon first",
    "event: done",
    "🎉",
    "中文",
    "x" * 5000,
    "",
    "end\n",
]
FLOWS = {
    "flows": [
        {"title": "Book a flight", "description": "to Lisbon", "priority": "high"},
        {"title": "Call the client", "priority": "medium"},
    ]
}


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(tokens=["Hello", " there", "!"], extraction=FLOWS) as server:
        yield server


@pytest.fixture
def api_settings(tmp_path: Path, fake: FakeOpenAI, store_overrides: dict[str, Any]) -> Settings:
    return make_settings(
        tmp_path,
        **fake.settings_overrides(),
        **store_overrides,
        AI_TIMEOUT_SECONDS=2.0,
        STREAM_FIRST_TOKEN_WAIT_SECONDS=3.0,
    )


@dataclass
class Streamed:
    status: int
    headers: httpx.Headers
    events: list[tuple[str, str, str]] = field(default_factory=list)
    body: Any = None

    @property
    def text(self) -> str:
        return "".join(data for name, data, _ in self.events if name == "message")

    def named(self, name: str) -> list[dict[str, Any]]:
        return [json.loads(data) for n, data, _ in self.events if n == name]


async def stream(client: httpx.AsyncClient, body: dict[str, Any]) -> Streamed:
    async with aconnect_sse(client, "POST", URL, json=body) as source:
        response = source.response
        if response.status_code != 200:
            await response.aread()
            return Streamed(response.status_code, response.headers, body=response.json())
        events = [(e.event, e.data, e.id) async for e in source.aiter_sse()]
        return Streamed(response.status_code, response.headers, events)


async def new_context(client: httpx.AsyncClient) -> str:
    response = await client.post("/api/v1/contexts", json={"name": "Work"})
    return str(response.json()["id"])


def chat(context_id: str, *texts: str, **extra: Any) -> dict[str, Any]:
    messages = [{"role": "user", "content": t} for t in texts or (SAMPLE,)]
    return {"context_id": context_id, "messages": messages, **extra}


def assert_well_formed(result: Streamed) -> None:
    """Ids 1..n on every event, exactly one terminal event, and it is the last."""
    assert [int(i) for _, _, i in result.events] == list(range(1, len(result.events) + 1))
    terminal = [n for n, _, _ in result.events if n in ("done", "error")]
    assert len(terminal) == 1
    assert result.events[-1][0] == terminal[0]


async def test_tricky_tokens_arrive_exactly(api: Api, fake: FakeOpenAI) -> None:
    fake.script(tokens=TRICKY, extraction={"flows": []})
    alice = api.client("alice")
    result = await stream(alice, chat(await new_context(alice)))
    assert result.status == 200
    assert result.headers["content-type"] == "text/event-stream"
    assert result.headers["cache-control"] == "no-cache"
    assert result.headers["x-accel-buffering"] == "no"
    assert_well_formed(result)
    expected = "".join(TRICKY).replace("\r\n", "\n")
    assert result.text == expected
    [done] = result.named("done")
    assert done["stream_id"] == result.headers["x-stream-id"]
    assert done["finish_reason"] == "stop"
    assert done["usage"] == {"input_tokens": 9, "output_tokens": len(TRICKY)}
    stored = (await alice.get(f"/api/v1/conversations/{done['conversation_id']}")).json()
    assert stored["status"] == "complete"
    assert stored["messages"][-1] == {**stored["messages"][-1], "role": "assistant"}
    assert stored["messages"][-1]["content"] == "".join(TRICKY)


async def test_flows_are_extracted_stored_and_announced(api: Api, fake: FakeOpenAI) -> None:
    alice = api.client("alice")
    context_id = await new_context(alice)
    result = await stream(alice, chat(context_id))
    assert_well_formed(result)
    assert [n for n, _, _ in result.events[-2:]] == ["metadata", "done"]
    [metadata] = result.named("metadata")
    assert metadata["event"] == "flows_extracted"
    assert [f["title"] for f in metadata["flows"]] == ["Book a flight", "Call the client"]
    assert metadata["extracted_flows"] == [f["id"] for f in metadata["flows"]]
    listed = (await alice.get(f"/api/v1/contexts/{context_id}/flows")).json()
    assert sorted(f["id"] for f in listed["items"]) == sorted(metadata["extracted_flows"])
    extraction = fake.chat_requests[-1].json()
    assert SAMPLE in json.dumps(extraction)
    assert "Hello there!" in json.dumps(extraction)


async def test_the_same_conversation_twice_creates_no_duplicates(
    api: Api, fake: FakeOpenAI
) -> None:
    fake.script(tokens=["ok"], extraction={"flows": [*FLOWS["flows"], {"title": "book a FLIGHT"}]})
    alice = api.client("alice")
    context_id = await new_context(alice)
    first = await stream(alice, chat(context_id))
    second = await stream(alice, chat(context_id))
    assert len(first.named("metadata")[0]["flows"]) == 2
    assert second.named("metadata")[0] == {
        "event": "flows_extracted",
        "flows": [],
        "extracted_flows": [],
        "changes": [],
    }
    assert (await alice.get(f"/api/v1/contexts/{context_id}/flows")).json()["total"] == 2


async def test_conversations_are_stored_and_can_be_continued(api: Api, fake: FakeOpenAI) -> None:
    alice = api.client("alice")
    context_id = await new_context(alice)
    first = await stream(alice, chat(context_id))
    conversation_id = first.named("done")[0]["conversation_id"]
    history = [
        {"role": "user", "content": SAMPLE},
        {"role": "assistant", "content": "Hello there!"},
        {"role": "user", "content": "And buy milk"},
    ]
    body = {"context_id": context_id, "messages": history, "conversation_id": conversation_id}
    second = await stream(alice, body)
    assert second.named("done")[0]["conversation_id"] == conversation_id
    stored = (await alice.get(f"/api/v1/conversations/{conversation_id}")).json()
    assert [m["content"] for m in stored["messages"]] == [
        SAMPLE,
        "Hello there!",
        "And buy milk",
        "Hello there!",
    ]
    sent = fake.chat_requests[-2].json()["messages"]
    assert [m["content"] for m in sent if m["role"] != "system"][-1] == "And buy milk"
    listed = (await alice.get(f"/api/v1/contexts/{context_id}/conversations")).json()
    assert [c["id"] for c in listed["items"]] == [conversation_id]
    bob = api.client("bob")
    foreign = await stream(bob, {**body, "context_id": await new_context(bob)})
    assert foreign.status == 404
    assert (await bob.get(f"/api/v1/conversations/{conversation_id}")).status_code == 404


async def test_authentication_and_ownership_come_first(api: Api, fake: FakeOpenAI) -> None:
    alice = api.client("alice")
    context_id = await new_context(alice)
    assert (await stream(api.client(), chat(context_id))).status == 401
    bad = httpx.AsyncClient(base_url=api.base_url, headers={"Authorization": "Bearer nope"})
    async with bad:
        unauthorized = await stream(bad, chat(context_id))
    assert unauthorized.status == 401
    assert unauthorized.headers["www-authenticate"].startswith("Bearer")
    foreign = await stream(api.client("bob"), chat(context_id))
    missing = await stream(alice, chat("no-such-context"))
    assert foreign.status == missing.status == 404
    assert foreign.body == missing.body
    assert fake.chat_requests == []


BAD_BODIES = [
    ({"messages": [{"role": "user", "content": "x"}]}, "context_id"),
    ({"context_id": "c", "messages": []}, "messages"),
    ({"context_id": "c", "messages": [{"role": "user", "content": ""}]}, "content"),
    ({"context_id": "c", "messages": [{"role": "user", "content": "x" * 10001}]}, "content"),
    ({"context_id": "c", "messages": [{"role": "robot", "content": "x"}]}, "role"),
    ({"context_id": "c", "messages": [{"role": "user"}]}, "content"),
    ({"context_id": "c", "messages": "hi"}, "messages"),
    ({"context_id": "c", "messages": [{"role": "user", "content": "x"}], "x": 1}, "x"),
]


@pytest.mark.parametrize(("body", "loc"), BAD_BODIES)
async def test_bad_bodies_are_422_with_the_field(
    api: Api, fake: FakeOpenAI, body: dict[str, Any], loc: str
) -> None:
    result = await stream(api.client("alice"), body)
    assert result.status == 422
    assert result.body["detail"][0]["loc"][-1] == loc
    assert fake.chat_requests == []


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.events: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, dict):  # structlog's event dict, before rendering
            self.events.append({**record.msg, "_level": record.levelname})


async def test_one_info_line_per_turn_says_how_it_went_without_any_content(
    api: Api, fake: FakeOpenAI
) -> None:
    records = _Records()
    logging.getLogger().addHandler(records)
    try:
        alice = api.client("alice")
        result = await stream(alice, chat(await new_context(alice)))
    finally:
        logging.getLogger().removeHandler(records)
    [done] = result.named("done")
    app_info = [e for e in records.events if e["_level"] == "INFO"]
    [ended] = [e for e in app_info if e["event"] == "Chat stream ended"]
    assert len([e for e in app_info if "stream" in e["event"].lower()]) == 1
    assert ended["stream_id"] == done["stream_id"]
    assert ended["conversation_id"] == done["conversation_id"]
    assert ended["outcome"] == "done"
    assert ended["finish_reason"] == "stop"
    assert ended["flow_count"] == 2
    assert ended["response_length"] == len("Hello there!")
    assert ended["duration_ms"] >= ended["first_token_ms"] >= 0
    logged = json.dumps(records.events, default=str)
    assert SAMPLE not in logged
    assert "Hello there" not in logged
    assert "Book a flight" not in logged
