"""Admission of new turns (issue 24): with every start slot taken by turns waiting for a
slow upstream's first token, a new start waits a bounded time, then gets `503 busy` with
`Retry-After`, stores nothing and holds no slot; a client that leaves while it waits
leaves nothing behind; a start that gets a slot in time streams as usual. A real server
on 127.0.0.1, the fake OpenAI upstream."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from my_flow_api.config import Settings
from my_flow_api.services.chat.service import ChatService
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.test_chat_socket import frames_until_end, send_frame, url
from tests.integration.test_conversations_api import assert_well_formed, chat, new_context, stream
from tests.support.app import Api, make_settings

pytestmark = pytest.mark.integration

WAIT = 0.6
"""STREAM_START_WAIT_SECONDS in these tests."""
SLOW = 3.0
"""The slow turn's upstream: seconds before its first byte."""


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(tokens=["Hello", " there"], extraction={"flows": []}) as server:
        yield server


@pytest.fixture
def api_settings(tmp_path: Path, fake: FakeOpenAI, request: pytest.FixtureRequest) -> Settings:
    extra: dict[str, Any] = getattr(request, "param", {})
    values = {
        "STREAM_MAX_STARTING": 1,
        "STREAM_START_WAIT_SECONDS": WAIT,
        "STREAM_FIRST_TOKEN_WAIT_SECONDS": 0.2,  # the slow turn's headers go out early
        "STREAM_MAX_PER_USER": 1,
        **extra,
    }
    return make_settings(tmp_path, **fake.settings_overrides(), **values)


def streamed(fake: FakeOpenAI) -> int:
    """Streamed chat requests the upstream received (the flow extractions are not)."""
    return sum(1 for request in fake.chat_requests if request.json().get("stream"))


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Poll `condition` (the service's counters have no event to wait on) until true."""
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


def service(api: Api) -> ChatService:
    chat: ChatService = api.app.state.chat_service
    return chat


async def start_slow_turn(api: Api, fake: FakeOpenAI) -> asyncio.Task[Any]:
    """Alice's turn, holding the only start slot for SLOW seconds; returns once its
    headers are out (the task reads it to its end)."""
    fake.script_once(first_byte_delay=SLOW)
    alice = api.client("alice")
    context = await new_context(alice)
    task = asyncio.create_task(stream(alice, chat(context)))
    await until(lambda: service(api).admission.starting == 1 and bool(fake.requests))
    return task


async def conversations(client: httpx.AsyncClient, context_id: str) -> list[Any]:
    response = await client.get(f"/api/v1/contexts/{context_id}/conversations")
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_a_saturated_worker_answers_503_busy_and_stores_nothing(
    api: Api, fake: FakeOpenAI
) -> None:
    slow = await start_slow_turn(api, fake)
    bob = api.client("bob")
    context = await new_context(bob)
    requests_before = streamed(fake)
    for _ in range(3):  # never a per-user slot left behind: bob's limit is 1
        began = time.monotonic()
        result = await stream(bob, chat(context))
        waited = time.monotonic() - began
        assert result.status == 503
        assert result.body["code"] == "busy"
        assert result.headers["retry-after"] == "1"
        assert WAIT * 0.9 <= waited < WAIT + 2  # a bounded wait for a slot, then the answer
    ui = await bob.post(
        f"/api/v1/contexts/{context}/chat",
        json={
            "id": "chat-1",
            "messages": [{"id": "m1", "role": "user", "parts": [{"type": "text", "text": "hi"}]}],
            "trigger": "submit-message",
        },
    )
    assert (ui.status_code, ui.json()["code"]) == (503, "busy")
    assert ui.headers["retry-after"] == "1"
    assert streamed(fake) == requests_before  # no upstream call for a refusal
    assert await conversations(bob, context) == []  # nothing stored
    metrics = (await bob.get("/metrics")).text
    assert 'myflow_stream_admission_total{result="busy"} 4.0' in metrics

    first = await slow
    assert first.status == 200
    assert first.text == "Hello there"  # the running turn was untouched
    admission = service(api).admission
    assert (admission.starting, admission.waiting) == (0, 0)
    after = await stream(bob, chat(context))  # the slots are free: start and per-user
    assert after.status == 200
    assert_well_formed(after)
    assert len(await conversations(bob, context)) == 1


async def test_a_start_that_gets_a_slot_within_the_wait_streams_as_usual(
    api: Api, fake: FakeOpenAI
) -> None:
    fake.script_once(first_byte_delay=WAIT / 3)
    alice = api.client("alice")
    first = asyncio.create_task(stream(alice, chat(await new_context(alice))))
    await until(lambda: service(api).admission.starting == 1)
    bob = api.client("bob")
    result = await stream(bob, chat(await new_context(bob)))
    assert result.status == 200
    assert result.text == "Hello there"
    assert (await first).status == 200
    metrics = (await bob.get("/metrics")).text
    assert 'myflow_stream_admission_total{result="queued"} 1.0' in metrics


@pytest.mark.parametrize("api_settings", [{"STREAM_START_WAIT_SECONDS": 30.0}], indirect=True)
async def test_a_client_leaving_while_queued_leaves_nothing_behind(
    api: Api, fake: FakeOpenAI
) -> None:
    slow = await start_slow_turn(api, fake)
    bob = api.client("bob")
    context = await new_context(bob)
    requests_before = streamed(fake)
    body = json.dumps(chat(context)).encode()
    host, port = api.base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"POST /api/v1/conversations/stream HTTP/1.1\r\nHost: x\r\n"
        + f"Authorization: Bearer {api.token('bob')}\r\n".encode()
        + b"Content-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    admission = service(api).admission
    await until(lambda: admission.waiting == 1)
    writer.close()  # gone while queued
    await until(lambda: admission.waiting == 0)  # out of the queue at once
    assert admission.starting == 1  # the slow turn's slot only
    first = await slow
    assert first.status == 200
    await asyncio.sleep(0.2)
    assert (admission.starting, admission.waiting) == (0, 0)
    assert streamed(fake) == requests_before  # bob's turn never reached it
    assert await conversations(bob, context) == []
    assert await reader.read() == b""  # nothing was sent to the gone client
    metrics = (await bob.get("/metrics")).text
    assert 'myflow_stream_admission_total{result="gone"} 1.0' in metrics
    assert (await stream(bob, chat(context))).status == 200  # bob's per-user slot is free


async def test_a_full_queue_refuses_at_once(api: Api, fake: FakeOpenAI) -> None:
    slow = await start_slow_turn(api, fake)
    bob, carol = api.client("bob"), api.client("carol")
    bob_context, carol_context = await new_context(bob), await new_context(carol)
    queued = asyncio.create_task(stream(bob, chat(bob_context)))  # the one waiting place
    await until(lambda: service(api).admission.waiting == 1)
    began = time.monotonic()
    refused = await stream(carol, chat(carol_context))
    assert (refused.status, refused.body["code"]) == (503, "busy")
    assert time.monotonic() - began < WAIT / 2  # no wait behind a full queue
    assert (await queued).status == 503
    assert (await slow).status == 200


async def test_the_websocket_reports_busy_with_retry_after(api: Api, fake: FakeOpenAI) -> None:
    slow = await start_slow_turn(api, fake)
    bob = api.client("bob")
    context = await new_context(bob)
    async with connect(url(api)) as ws:
        await ws.send(json.dumps(send_frame("r1", api.token("bob"), context)))
        frames = await frames_until_end(ws, "r1")
    assert frames[-1]["type"] == "error"
    assert frames[-1]["code"] == "busy"
    assert frames[-1]["retryAfter"] == 1
    assert frames[-1]["errorText"].startswith("503: ")
    assert await conversations(bob, context) == []
    assert (await slow).status == 200


async def test_a_start_refused_after_its_slot_was_taken_gives_the_slot_back(
    api: Api, fake: FakeOpenAI
) -> None:
    """The HTTP gate takes the slot before authentication and validation: a 401, a 422
    or a 404 frees it again."""
    bob = api.client("bob")
    context = await new_context(bob)
    anonymous = api.client()
    assert (await stream(anonymous, chat(context))).status == 401
    assert (await stream(bob, {"context_id": context, "messages": []})).status == 422
    assert (await stream(bob, chat("no-such-context"))).status == 404
    admission = service(api).admission
    assert (admission.starting, admission.waiting) == (0, 0)
    began = time.monotonic()
    result = await stream(bob, chat(context))
    assert result.status == 200
    assert time.monotonic() - began < WAIT  # no wait for a slot


async def test_a_client_still_sending_its_body_holds_no_slot(api: Api, fake: FakeOpenAI) -> None:
    host, port = api.base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(  # no token, and half a body that never ends
        b"POST /api/v1/conversations/stream HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n" + b'{"message": "'
    )
    await writer.drain()
    try:
        await asyncio.sleep(0.3)  # the server has the headers and part of the body
        admission = service(api).admission
        assert (admission.starting, admission.waiting) == (0, 0)
        bob = api.client("bob")
        result = await stream(bob, chat(await new_context(bob)))  # the only slot is free
        assert result.status == 200
        assert result.text == "Hello there"
    finally:  # the server's shutdown would wait for this connection
        writer.close()
        await reader.read()
