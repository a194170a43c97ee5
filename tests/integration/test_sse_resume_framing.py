"""EventSource-correct resume (a `retry:` hint, `204` at or after the terminal event) and
the opt-in JSON framing of the SSE endpoints, on one replica (memory and Redis) and
across two replicas sharing Redis."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from my_flow_api.config import Settings
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.test_conversations_api import FLOWS, chat, new_context
from tests.support.app import Api, make_settings, start_api
from tests.support.sse import read_events

TOKENS = ["one", "\n", "two", "\n\n", "three"]
URL = "/api/v1/conversations/stream"


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(tokens=TOKENS, extraction=FLOWS) as server:
        yield server


@pytest.fixture
def api_settings(tmp_path: Path, fake: FakeOpenAI, streams_mode: dict[str, Any]) -> Settings:
    return make_settings(
        tmp_path, **fake.settings_overrides(), **streams_mode, STREAM_FIRST_TOKEN_WAIT_SECONDS=3.0
    )


async def test_every_stream_starts_with_a_retry_hint(api: Api) -> None:
    alice = api.client("alice")
    response = await alice.post(URL, json=chat(await new_context(alice)))
    assert response.status_code == 200
    assert response.text.startswith("retry: 3000\nid: 1\ndata: one\n\n")


async def test_resume_at_or_after_the_end_is_204_and_before_it_replays(api: Api) -> None:
    alice = api.client("alice")
    response = await alice.post(URL, json=chat(await new_context(alice)))
    stream_id = response.headers["x-stream-id"]
    last = len(TOKENS) + 2  # the tokens, metadata, done
    resume = f"/api/v1/conversations/streams/{stream_id}"
    for after in (str(last), str(last + 5)):
        ended = await alice.get(resume, headers={"Last-Event-ID": after})
        assert (ended.status_code, ended.content) == (204, b"")
    assert (await alice.get(resume, params={"last_event_id": last})).status_code == 204
    replay = await alice.get(resume, headers={"Last-Event-ID": str(last - 1)})
    assert replay.status_code == 200
    assert replay.text.startswith(f"retry: 3000\nid: {last}\nevent: done\ndata: {{")
    assert replay.text.count("\n\n") == 1  # only the terminal event


async def test_the_json_framing_carries_each_token_as_one_json_line(api: Api) -> None:
    alice = api.client("alice")
    context_id = await new_context(alice)
    async with alice.stream("POST", URL, params={"framing": "json"}, json=chat(context_id)) as r:
        assert r.status_code == 200
        events = await read_events(r, 20)
        stream_id = r.headers["x-stream-id"]
    tokens = [json.loads(data)["text"] for name, data, _ in events if name == "message"]
    assert tokens == TOKENS
    assert [n for n, _, _ in events][-2:] == ["metadata", "done"]
    async with alice.stream(
        "GET",
        f"/api/v1/conversations/streams/{stream_id}",
        params={"framing": "json", "last_event_id": 1},
    ) as resumed:
        again = await read_events(resumed, 20)
    assert [json.loads(d)["text"] for n, d, _ in again if n == "message"] == TOKENS[1:]
    bad = await alice.post(URL, params={"framing": "xml"}, json=chat(context_id))
    assert bad.status_code == 422


@pytest.mark.redis
async def test_a_second_replica_answers_204_resumes_and_frames_the_same_log(
    tmp_path: Path, fake: FakeOpenAI, redis_url: str, redis_prefix: str
) -> None:
    fake.script(tokens=[*TOKENS, *(f" t{i}" for i in range(20))], delay=0.05, extraction=FLOWS)
    shared = {"REDIS_URL": redis_url, "REDIS_KEY_PREFIX": redis_prefix}
    settings = make_settings(tmp_path, **fake.settings_overrides(), **shared)
    async for one in start_api(settings):
        async for two in start_api(settings):
            alice, alice_two = one.client("alice"), two.client("alice")
            context_id = await new_context(alice)
            body = {
                "id": "chat-x",
                "messages": [
                    {"id": "u", "role": "user", "parts": [{"type": "text", "text": "hi"}]}
                ],
            }
            async with alice.stream(
                "POST", f"/api/v1/contexts/{context_id}/chat", json=body
            ) as started:
                assert started.status_code == 200
                stream_id = started.headers["x-stream-id"]
                # The other replica resumes the chat (replayed from the start, then live).
                resumed = await alice_two.get(f"/api/v1/contexts/{context_id}/chat/chat-x/stream")
                assert resumed.status_code == 200
                assert resumed.headers["x-vercel-ai-ui-message-stream"] == "v1"
                await started.aread()
            assert resumed.text == started.text  # the same chunks, ids and ending
            assert resumed.text.endswith("data: [DONE]\n\n")
            chunks = [
                json.loads(line[6:])
                for line in resumed.text.splitlines()
                if line.startswith("data: {")
            ]
            delta = "".join(c["delta"] for c in chunks if c["type"] == "text-delta")
            assert delta == "".join(fake.current.tokens)  # type: ignore[arg-type]
            done = await alice_two.get(f"/api/v1/contexts/{context_id}/chat/chat-x/stream")
            assert done.status_code == 204
            sse = await alice_two.get(
                f"/api/v1/conversations/streams/{stream_id}",
                headers={"Last-Event-ID": str(len(fake.current.tokens) + 2)},
            )
            assert sse.status_code == 204
