"""The chat WebSocket with a real client (the `websockets` package, as websocat would
type the frames): a turn, a stop, a resume from an event id, bad frames, limits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from my_flow_api.config import Settings
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.test_conversations_api import FLOWS, new_context
from tests.support.app import Api, make_settings, start_api
from tests.support.sse import wait_for_status

TOKENS = ["Hello", "\n", "world", "\n\n", "end"]
SLOW = [*TOKENS, *(f" t{i}" for i in range(40))]
MAX_BODY = 64 * 1024


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(tokens=TOKENS, extraction=FLOWS) as server:
        yield server


@pytest.fixture
def api_settings(tmp_path: Path, fake: FakeOpenAI, streams_mode: dict[str, Any]) -> Settings:
    return make_settings(
        tmp_path,
        **fake.settings_overrides(),
        **streams_mode,
        STREAM_FIRST_TOKEN_WAIT_SECONDS=3.0,
        MAX_BODY_BYTES=MAX_BODY,
    )


def url(api: Api) -> str:
    return api.base_url.replace("http://", "ws://") + "/api/v1/chat/socket"


@pytest.fixture
async def socket(api: Api) -> AsyncIterator[ClientConnection]:
    async with connect(url(api)) as ws:
        yield ws


def send_frame(
    request_id: str, token: str, context_id: str, text: str = "hi", chat_id: str = "chat1"
) -> dict[str, Any]:
    return {
        "type": "send",
        "requestId": request_id,
        "id": chat_id,
        "messages": [{"id": "m1", "role": "user", "parts": [{"type": "text", "text": text}]}],
        "headers": {"authorization": f"Bearer {token}"},
        "body": {"context_id": context_id},
    }


async def frames_until_end(ws: ClientConnection, request_id: str) -> list[dict[str, Any]]:
    """The frames of one request up to its `end`, `error` or `no-active`."""
    out: list[dict[str, Any]] = []
    async with asyncio.timeout(15):
        while True:
            frame = json.loads(await ws.recv())
            if frame["requestId"] != request_id:
                continue
            out.append(frame)
            if frame["type"] in ("end", "error", "no-active"):
                return out


def text_of(frames: list[dict[str, Any]]) -> str:
    return "".join(
        f["chunk"]["delta"] for f in frames if f["type"] == "chunk" and "delta" in f["chunk"]
    )


async def test_a_turn_carries_the_logs_ids_and_payloads(api: Api, socket: ClientConnection) -> None:
    alice = api.client("alice")
    context_id = await new_context(alice)
    await socket.send(json.dumps(send_frame("r1", api.token("alice"), context_id)))
    frames = await frames_until_end(socket, "r1")
    assert frames[0] == {"type": "start", "requestId": "r1"}
    assert frames[-1] == {"type": "end", "requestId": "r1"}
    chunks = [f for f in frames if f["type"] == "chunk"]
    assert [f["sequence"] for f in chunks] == list(range(len(chunks)))
    assert text_of(frames) == "".join(TOKENS)
    types = [f["chunk"]["type"] for f in chunks]
    assert types[:2] == ["start", "text-start"]
    assert types[-3:] == ["text-end", "data-flows", "finish"]
    # The SSE ids: the tokens are events 1..5, the flows 6, done 7.
    deltas = [f["eventId"] for f in chunks if f["chunk"]["type"] == "text-delta"]
    assert deltas == [1, 2, 3, 4, 5]
    flows = next(f for f in chunks if f["chunk"]["type"] == "data-flows")
    assert flows["eventId"] == 6
    assert flows["chunk"]["id"] == "flows"
    assert flows["chunk"]["data"]["event"] == "flows_extracted"
    finish = chunks[-1]
    assert finish["eventId"] == 7
    done = finish["chunk"]["messageMetadata"]
    assert done["finish_reason"] == "stop"
    stored = (await alice.get(f"/api/v1/conversations/{done['conversation_id']}")).json()
    assert stored["messages"][-1]["content"] == "".join(TOKENS)


async def test_abort_stops_the_turn_and_resume_from_an_event_id_replays_the_rest(
    api: Api, fake: FakeOpenAI, socket: ClientConnection
) -> None:
    fake.script(tokens=SLOW, delay=0.1, extraction=FLOWS)
    alice = api.client("alice")
    context_id = await new_context(alice)
    token = api.token("alice")
    await socket.send(json.dumps(send_frame("r1", token, context_id, chat_id="c9")))
    async with asyncio.timeout(10):
        while True:
            frame = json.loads(await socket.recv())
            if frame["type"] == "chunk" and frame["chunk"]["type"] == "text-delta":
                break
    await socket.send(json.dumps({"type": "abort", "requestId": "r1"}))
    await wait_for_status(alice, context_id, "cancelled", within=5)
    # The stopped turn has ended: nothing is active for the chat any more.
    resume = {
        "type": "resume",
        "requestId": "r2",
        "id": "c9",
        "headers": {"authorization": f"Bearer {token}"},
        "body": {"context_id": context_id},
    }
    await socket.send(json.dumps(resume))
    assert (await frames_until_end(socket, "r2"))[-1]["type"] == "no-active"


async def test_a_new_socket_resumes_a_running_turn_after_an_event_id(
    api: Api, fake: FakeOpenAI
) -> None:
    fake.script(tokens=SLOW, delay=0.05, extraction=FLOWS)
    alice = api.client("alice")
    context_id = await new_context(alice)
    token = api.token("alice")
    async with connect(url(api)) as first:
        await first.send(json.dumps(send_frame("r1", token, context_id, chat_id="c5")))
        async with asyncio.timeout(10):
            while True:
                frame = json.loads(await first.recv())
                if frame["type"] == "chunk" and frame.get("eventId") == 3:
                    break
    # The socket closed (a disconnect under `continue`): the turn goes on.
    async with connect(url(api), additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        resume = {"type": "resume", "requestId": "r2", "id": "c5", "lastEventId": 3}
        await ws.send(json.dumps({**resume, "body": {"context_id": context_id}}))
        frames = await frames_until_end(ws, "r2")
    assert frames[-1]["type"] == "end"
    ids = [f["eventId"] for f in frames if f["type"] == "chunk"]
    assert ids[0] == 4
    assert ids == sorted(ids)
    assert "".join(TOKENS[:3]) + text_of(frames) == "".join(SLOW)


async def test_bad_frames_get_error_frames_with_codes_and_change_nothing(
    api: Api, socket: ClientConnection
) -> None:
    alice = api.client("alice")
    context_id = await new_context(alice)

    async def answer(raw: str) -> dict[str, Any]:
        await socket.send(raw)
        async with asyncio.timeout(5):
            return dict(json.loads(await socket.recv()))

    assert (await answer("not json"))["code"] == "invalid_frame"
    bad = await answer(json.dumps({"type": "send", "requestId": "x1"}))
    assert (bad["requestId"], bad["type"], bad["code"]) == ("x1", "error", "invalid_frame")
    anonymous = send_frame("x2", "", context_id)
    anonymous["headers"] = {}
    assert (await answer(json.dumps(anonymous)))["code"] == "missing_token"
    forged = await answer(json.dumps(send_frame("x3", "not-a-jwt", context_id)))
    assert forged["errorText"].startswith("401")
    foreign = await answer(json.dumps(send_frame("x4", api.token("bob"), context_id)))
    assert foreign["code"] == "not_found"
    listed = (await alice.get(f"/api/v1/contexts/{context_id}/conversations")).json()
    assert listed["items"] == []


async def test_a_frame_over_the_size_limit_closes_the_socket_with_1009(
    api: Api, socket: ClientConnection
) -> None:
    await socket.send(json.dumps({"type": "abort", "requestId": "x" * MAX_BODY}))
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(5):
            await socket.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009


async def test_a_plain_get_is_told_to_upgrade(api: Api) -> None:
    answer = await api.client().get("/api/v1/chat/socket")
    assert answer.status_code == 426
    assert answer.headers["upgrade"] == "websocket"
    assert answer.json()["code"] == "upgrade_required"
    spec = (await api.client().get("/openapi.json")).json()
    assert "/api/v1/chat/socket" not in spec["paths"]  # not an HTTP operation
    [tag] = [t for t in spec["tags"] if t["name"] == "websocket"]
    assert "WebSocketChatTransport" in tag["description"]


async def test_the_readmes_websocat_session_works_as_typed(api: Api) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    typed = next(line for line in readme.splitlines() if line.startswith('{"type":"send"'))
    alice = api.client("alice")
    context_id = await new_context(alice)
    headers = {"Authorization": f"Bearer {api.token('alice')}"}  # websocat -H
    async with connect(url(api), additional_headers=headers) as ws:
        await ws.send(typed.replace("<ctx>", context_id))
        frames = await frames_until_end(ws, "r1")
    assert frames[-1]["type"] == "end"
    assert text_of(frames) == "".join(TOKENS)


async def test_under_the_cancel_policy_a_closed_socket_stops_its_turns(
    tmp_path: Path, fake: FakeOpenAI
) -> None:
    fake.script(tokens=SLOW, delay=0.1, extraction=FLOWS)
    settings = make_settings(tmp_path, **fake.settings_overrides(), STREAM_ON_DISCONNECT="cancel")
    async for api in start_api(settings):
        alice = api.client("alice")
        context_id = await new_context(alice)
        async with connect(url(api)) as ws:
            await ws.send(json.dumps(send_frame("r1", api.token("alice"), context_id)))
            async with asyncio.timeout(10):
                while json.loads(await ws.recv()).get("eventId") != 2:
                    pass
        stopped = await wait_for_status(alice, context_id, "interrupted", within=5)
        assert stopped["status"] == "interrupted"
        assert await fake.wait_closed(2), "the upstream call was stopped"


async def test_a_socket_refuses_a_request_id_in_use_and_more_than_eight_at_once(
    api: Api, fake: FakeOpenAI, socket: ClientConnection
) -> None:
    fake.script(tokens=SLOW, delay=0.2, extraction=FLOWS)
    users = [f"user{n}" for n in range(3)]  # at most 3 streams each: 8 turns need 3 users
    contexts = {user: await new_context(api.client(user)) for user in users}
    frames = [
        send_frame(f"r{n}", api.token(users[n % 3]), contexts[users[n % 3]], chat_id=f"d{n}")
        for n in range(8)
    ]
    for frame in frames:
        await socket.send(json.dumps(frame))
    started: set[str] = set()
    async with asyncio.timeout(10):
        while len(started) < 8:
            frame = json.loads(await socket.recv())
            assert frame["type"] != "error", frame
            if frame["type"] == "start":
                started.add(frame["requestId"])
    await socket.send(json.dumps(send_frame("r0", api.token("user0"), contexts["user0"])))
    assert (await frames_until_end(socket, "r0"))[-1].get("code") == "duplicate_request"
    await socket.send(json.dumps(send_frame("r9", api.token("user1"), contexts["user1"])))
    assert (await frames_until_end(socket, "r9"))[-1]["code"] == "too_many_requests"
