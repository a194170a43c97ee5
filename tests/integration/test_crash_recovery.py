"""A real `my-flow serve` process, alone (no Redis), SIGKILLed mid-answer and started
again (issue 21): the conversation is `interrupted` with what the client had read up to
one checkpoint interval before the kill, a resume of the dead stream is a 404, and a
new turn works."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.openai_server import FakeOpenAI
from tests.integration.test_conversations_api import chat, new_context
from tests.support.replicas import Replica, replica_env, replica_token
from tests.support.sse import read_events

pytestmark = pytest.mark.integration

TOKENS = [f"t{i} " for i in range(40)]
TOKEN_SECONDS = 0.2
CHECKPOINT_SECONDS = 1.0
STREAM = "/api/v1/conversations/stream"


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(tokens=TOKENS, delay=TOKEN_SECONDS, extraction={"flows": []}) as server:
        yield server


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_db"))
    return f"sqlite+aiosqlite:///{tmp_path / 'crash.db'}"


async def test_a_killed_process_leaves_an_interrupted_answer_and_a_usable_conversation(
    tmp_path: Path, fake: FakeOpenAI, database: str
) -> None:
    env = replica_env(tmp_path, fake, database, "", "")
    del env["REDIS_URL"], env["REDIS_KEY_PREFIX"]  # one process, streams in memory
    env["STREAM_CHECKPOINT_SECONDS"] = str(CHECKPOINT_SECONDS)
    solo = Replica("solo", env, tmp_path)
    await solo.start()
    try:
        client = solo.client(replica_token(env, "alice"))
        context_id = await new_context(client)
        async with client.stream("POST", STREAM, json=chat(context_id)) as response:
            stream_id = response.headers["x-stream-id"]
            read = await read_events(response, 10)
            await solo.kill()
        seen = "".join(data for name, data, _ in read if name == "message")
        assert seen == "".join(TOKENS[:10])

        started = time.monotonic()
        await solo.start()
        restart_seconds = time.monotonic() - started
        client = solo.client(replica_token(env, "alice"))
        listed = (await client.get(f"/api/v1/contexts/{context_id}/conversations")).json()
        conversation = await client.get(f"/api/v1/conversations/{listed['items'][0]['id']}")
        found = conversation.json()
        assert (found["status"], found["error_code"]) == ("interrupted", "server_restarted")
        role, saved = found["messages"][-1]["role"], found["messages"][-1]["content"]
        assert role == "assistant"
        lost_at_most = int(CHECKPOINT_SECONDS / TOKEN_SECONDS) + 1  # one interval, one token
        assert "".join(TOKENS).startswith(saved)
        assert len(saved.split()) >= len(read) - lost_at_most, (saved, seen)
        print(f"read {len(read)} tokens, saved {len(saved.split())}; up in {restart_seconds:.1f}s")

        resumed = await client.get(f"/api/v1/conversations/streams/{stream_id}")
        assert resumed.status_code == 404
        assert "restart" in resumed.json()["detail"]

        fake.script(tokens=["again"], delay=0)
        body = {**chat(context_id, "go on"), "conversation_id": found["id"]}
        async with client.stream("POST", STREAM, json=body) as response:
            assert response.status_code == 200
            ended = await read_events(response, 100)
        assert ended[-1][0] == "done"
    finally:
        await solo.stop()
