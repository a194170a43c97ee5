"""The AI SDK chat endpoints over plain HTTP: how a chat id maps to a conversation, and
what they refuse (the real `ai` client is in test_real_clients.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from my_flow_api.config import Settings
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.test_conversations_api import FLOWS, new_context
from tests.support.app import Api, make_settings


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(tokens=["Sure", "!"], extraction=FLOWS) as server:
        yield server


@pytest.fixture
def api_settings(tmp_path: Path, fake: FakeOpenAI) -> Settings:
    return make_settings(tmp_path, **fake.settings_overrides())


def message(role: str, text: str, mid: str) -> dict[str, Any]:
    return {"id": mid, "role": role, "parts": [{"type": "text", "text": text}]}


async def conversations(client: httpx.AsyncClient, context_id: str) -> list[dict[str, Any]]:
    listed = (await client.get(f"/api/v1/contexts/{context_id}/conversations")).json()
    items: list[dict[str, Any]] = listed["items"]
    return items


async def test_a_chat_id_continues_its_conversation_and_regenerate_starts_one(api: Api) -> None:
    alice = api.client("alice")
    context_id = await new_context(alice)
    url = f"/api/v1/contexts/{context_id}/chat"
    first = [message("user", "I need to book a flight", "u1")]
    assert (await alice.post(url, json={"id": "k1", "messages": first})).status_code == 200
    history = [
        *first,
        {"id": "a1", "role": "assistant", "parts": [{"type": "data-flows", "data": {}}]},
        message("assistant", "Sure!", "a2"),
        message("user", "and call the client", "u2"),
    ]
    assert (await alice.post(url, json={"id": "k1", "messages": history})).status_code == 200
    [only] = await conversations(alice, context_id)
    stored = (await alice.get(f"/api/v1/conversations/{only['id']}")).json()["messages"]
    assert [(m["role"], m["content"]) for m in stored] == [
        ("user", "I need to book a flight"),
        ("assistant", "Sure!"),
        ("user", "and call the client"),
        ("assistant", "Sure!"),
    ]
    regenerate = {"id": "k1", "messages": history, "trigger": "regenerate-message"}
    assert (await alice.post(url, json=regenerate)).status_code == 200
    assert len(await conversations(alice, context_id)) == 2


async def test_chats_refuse_what_they_cannot_serve_and_change_nothing(api: Api) -> None:
    alice, bob = api.client("alice"), api.client("bob")
    context_id = await new_context(alice)
    url = f"/api/v1/contexts/{context_id}/chat"
    no_text = {"id": "k2", "messages": [{"id": "u", "role": "user", "parts": [{"type": "file"}]}]}
    refused = await alice.post(url, json=no_text)
    assert (refused.status_code, refused.json()["code"]) == (422, "validation_error")
    assert (
        await alice.post(url, json={"id": "a:b", "messages": [message("user", "x", "u")]})
    ).status_code == 422
    assert (
        await bob.post(url, json={"id": "k2", "messages": [message("user", "x", "u")]})
    ).status_code == 404
    assert await conversations(alice, context_id) == []
    # Nothing ran for the chat: the SDK's resume gets 204; someone else's context is 404.
    assert (await alice.get(f"{url}/k2/stream")).status_code == 204
    assert (await bob.get(f"{url}/k2/stream")).status_code == 404
    assert (await alice.post(f"{url}/k2/stop")).status_code == 404
    # Alice's chat id means nothing to Bob, even in a context of his.
    await alice.post(url, json={"id": "k3", "messages": [message("user", "hi", "u")]})
    bobs = await new_context(bob)
    assert (await bob.post(f"/api/v1/contexts/{bobs}/chat/k3/stop")).status_code == 404


async def test_a_failure_after_the_first_token_is_the_protocols_error_part(
    api: Api, fake: FakeOpenAI
) -> None:
    fake.script(tokens=["Sure", "!", "more"], error_after=2, extraction=FLOWS)
    alice = api.client("alice")
    context_id = await new_context(alice)
    body = {"id": "e1", "messages": [message("user", "hi", "u")]}
    answer = await alice.post(f"/api/v1/contexts/{context_id}/chat", json=body)
    assert answer.status_code == 200
    lines = [line[6:] for line in answer.text.splitlines() if line.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    chunks = [json.loads(line) for line in lines[:-1]]
    assert [c["type"] for c in chunks] == [
        "start",
        "text-start",
        "text-delta",
        "text-delta",
        "text-end",
        "error",
        "finish",
    ]
    assert chunks[-2]["errorText"]
    assert chunks[-1]["finishReason"] == "error"
    assert chunks[-1]["messageMetadata"]["code"]
