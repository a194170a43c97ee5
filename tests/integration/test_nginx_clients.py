"""The other protocols through the shipped nginx config in front of two replicas: the chat
WebSocket (its upgrade), the AI SDK's chat and resume, and the SSE `204` after the end."""

from __future__ import annotations

import json

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.fakes.openai_server import FakeOpenAI
from tests.integration.test_chat_socket import frames_until_end, send_frame, text_of
from tests.integration.test_conversations_api import chat, new_context
from tests.integration.test_nginx import fake, proxied  # noqa: F401 (fixtures)
from tests.support.replicas import replica_token
from tests.support.sse import read_events

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.redis]


async def test_websocket_turns_and_resumes_through_nginx(
    proxied: tuple[str, dict[str, str]],  # noqa: F811
    fake: FakeOpenAI,  # noqa: F811
) -> None:
    url, env = proxied
    token = replica_token(env, "alice")
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as client:
        context_id = await new_context(client)
    socket_url = url.replace("http://", "ws://") + "/api/v1/chat/socket"
    async with connect(socket_url) as first:
        await first.send(json.dumps(send_frame("r1", token, context_id, chat_id="n1")))
        while True:
            frame = json.loads(await first.recv())
            if frame["type"] == "chunk" and frame.get("eventId") == 2:
                break
    # A new socket (maybe the other replica): the running turn, after event 2.
    async with connect(socket_url) as second:
        resume = {
            "type": "resume",
            "requestId": "r2",
            "id": "n1",
            "lastEventId": 2,
            "headers": {"authorization": f"Bearer {token}"},
            "body": {"context_id": context_id},
        }
        await second.send(json.dumps(resume))
        frames = await frames_until_end(second, "r2")
    assert frames[-1]["type"] == "end"
    assert "t0 t1 " + text_of(frames) == "".join(fake.current.tokens)  # type: ignore[arg-type]


async def test_ai_sdk_chat_and_sse_204_through_nginx(
    proxied: tuple[str, dict[str, str]],  # noqa: F811
    fake: FakeOpenAI,  # noqa: F811
) -> None:
    fake.script(tokens=["a", "\n", "b"], extraction={"flows": []})
    url, env = proxied
    headers = {"Authorization": f"Bearer {replica_token(env, 'alice')}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        context_id = await new_context(client)
        body = {
            "id": "n2",
            "messages": [{"id": "u", "role": "user", "parts": [{"type": "text", "text": "hi"}]}],
        }
        answer = await client.post(f"/api/v1/contexts/{context_id}/chat", json=body)
        assert answer.headers["x-vercel-ai-ui-message-stream"] == "v1"
        assert answer.text.endswith("data: [DONE]\n\n")
        for _ in range(2):  # both replicas: nothing is running for the chat
            gone = await client.get(f"/api/v1/contexts/{context_id}/chat/n2/stream")
            assert gone.status_code == 204
        sse = await client.post("/api/v1/conversations/stream", json=chat(context_id))
        stream_id = sse.headers["x-stream-id"]
        for _ in range(2):
            ended = await client.get(
                f"/api/v1/conversations/streams/{stream_id}", headers={"Last-Event-ID": "5"}
            )
            assert ended.status_code == 204


async def test_json_framing_and_an_ai_sdk_resume_of_a_running_turn_through_nginx(
    proxied: tuple[str, dict[str, str]],  # noqa: F811
    fake: FakeOpenAI,  # noqa: F811
) -> None:
    tokens = ["a", "\n", "\n\n", " b", *(f" t{i}" for i in range(100))]  # 5 s: still running
    fake.script(tokens=tokens, delay=0.05, extraction={"flows": []})
    url, env = proxied
    headers = {"Authorization": f"Bearer {replica_token(env, 'alice')}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        context_id = await new_context(client)
        json_framing = {"framing": "json"}
        stream_url = "/api/v1/conversations/stream"
        body = chat(context_id)
        async with client.stream("POST", stream_url, params=json_framing, json=body) as r:
            events = await read_events(r, len(tokens) + 2)
        texts = [json.loads(data)["text"] for name, data, _ in events if name == "message"]
        assert "".join(texts) == "".join(tokens)  # byte for byte, "\n"-only tokens too
        body = {
            "id": "n3",
            "messages": [{"id": "u", "role": "user", "parts": [{"type": "text", "text": "hi"}]}],
        }
        chat_url = f"/api/v1/contexts/{context_id}/chat"
        async with client.stream("POST", chat_url, json=body) as started:
            async for line in started.aiter_lines():
                if '"text-delta"' in line:
                    break  # the turn is running; this reader walks away
            resumed = await client.get(f"{chat_url}/n3/stream")  # either replica
        assert resumed.status_code == 200
        assert resumed.text.endswith("data: [DONE]\n\n")
        deltas = [
            json.loads(line[len("data: ") :])
            for line in resumed.text.split("\n")
            if line.startswith("data: {")
        ]
        resumed_text = "".join(d["delta"] for d in deltas if d["type"] == "text-delta")
        assert "".join(tokens).endswith(resumed_text)
        assert resumed_text.endswith("".join(tokens[-20:]))  # the rest of the turn, to its end
