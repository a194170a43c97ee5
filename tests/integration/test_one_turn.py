"""One turn at a time per conversation (issue 21), on every store: of two continuations
sent at once exactly one runs, the other is a 409 naming the running stream; a history
that does not continue the stored conversation is a 409 too, and nothing is appended."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from my_flow_api.config import Settings
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.test_conversations_api import new_context, stream
from tests.support.app import Api, make_settings

pytestmark = pytest.mark.integration

FIRST = {"role": "user", "content": "u1"}


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(tokens=["a1"], extraction={"flows": []}) as server:
        yield server


@pytest.fixture
def api_settings(tmp_path: Path, fake: FakeOpenAI, store_overrides: dict[str, Any]) -> Settings:
    return make_settings(tmp_path, **fake.settings_overrides(), **store_overrides)


async def first_turn(client: httpx.AsyncClient) -> tuple[str, str]:
    context_id = await new_context(client)
    done = await stream(client, {"context_id": context_id, "messages": [FIRST]})
    return context_id, done.named("done")[0]["conversation_id"]


def history(context_id: str, conversation_id: str, last: str) -> dict[str, Any]:
    messages = [FIRST, {"role": "assistant", "content": "a1"}, {"role": "user", "content": last}]
    return {"context_id": context_id, "conversation_id": conversation_id, "messages": messages}


async def stored(client: httpx.AsyncClient, conversation_id: str) -> list[str]:
    found = (await client.get(f"/api/v1/conversations/{conversation_id}")).json()
    return [m["content"] for m in found["messages"]]


async def test_two_tabs_continuing_at_once_one_runs_one_is_told_which(
    api: Api, fake: FakeOpenAI
) -> None:
    alice = api.client("alice")
    context_id, conversation_id = await first_turn(alice)
    fake.script(tokens=["slow", " answer"], delay=0.5)
    tabs = [history(context_id, conversation_id, last) for last in ("u2-X", "u2-Y")]
    results = await asyncio.gather(*(stream(alice, body) for body in tabs))
    assert sorted(r.status for r in results) == [200, 409]
    ran = next(r for r in results if r.status == 200)
    refused = next(r for r in results if r.status == 409)
    assert refused.body["code"] == "conversation_busy"
    assert refused.body["stream_id"] == ran.headers["x-stream-id"]
    assert "resume" in refused.body["detail"]
    won = "u2-X" if results[0].status == 200 else "u2-Y"
    assert await stored(alice, conversation_id) == ["u1", "a1", won, "slow answer"]

    lost = "u2-Y" if won == "u2-X" else "u2-X"
    stale = await stream(alice, history(context_id, conversation_id, lost))
    assert (stale.status, stale.body["code"]) == (409, "history_conflict")
    assert await stored(alice, conversation_id) == ["u1", "a1", won, "slow answer"]

    fake.script(tokens=["a3"])
    only_new = {"role": "user", "content": lost}
    body = {"context_id": context_id, "conversation_id": conversation_id, "messages": [only_new]}
    assert (await stream(alice, body)).status == 200
    assert await stored(alice, conversation_id) == ["u1", "a1", won, "slow answer", lost, "a3"]


async def test_a_whole_history_that_continues_the_stored_one_is_appended(
    api: Api, fake: FakeOpenAI
) -> None:
    alice = api.client("alice")
    context_id, conversation_id = await first_turn(alice)
    assert (await stream(alice, history(context_id, conversation_id, "u2"))).status == 200
    assert await stored(alice, conversation_id) == ["u1", "a1", "u2", "a1"]


class TornConversations:
    """The conversations repository as PostgreSQL's READ COMMITTED can show it to a read
    that takes two statements: the row from before another tab's commit (not streaming
    yet), its messages from after it. Only the first read is torn."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self._torn = True

    async def get_by_id(self, conversation_id: str, user_id: str) -> Any:
        found = await self._real.get_by_id(conversation_id, user_id)
        if self._torn and found is not None:
            self._torn = False
            return found.model_copy(update={"status": "complete"})
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class TornStore:
    def __init__(self, real: Any) -> None:
        self._real = real
        self.conversations = TornConversations(real.conversations)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


async def test_a_torn_read_of_another_tabs_running_turn_is_told_busy_not_conflict(
    api: Api, fake: FakeOpenAI
) -> None:
    alice = api.client("alice")
    context_id, conversation_id = await first_turn(alice)
    fake.script(tokens=["slow", " answer"], delay=0.5)
    running = asyncio.create_task(stream(alice, history(context_id, conversation_id, "u2-X")))
    async with asyncio.timeout(5):
        while "u2-X" not in await stored(alice, conversation_id):  # noqa: ASYNC110 (over HTTP)
            await asyncio.sleep(0.02)
    chat = api.app.state.chat_service
    chat.store = TornStore(chat.store)
    refused = await stream(alice, history(context_id, conversation_id, "u2-Y"))
    ran = await running
    assert (refused.status, refused.body["code"]) == (409, "conversation_busy")
    assert refused.body["stream_id"] == ran.headers["x-stream-id"]
    assert await stored(alice, conversation_id) == ["u1", "a1", "u2-X", "slow answer"]
