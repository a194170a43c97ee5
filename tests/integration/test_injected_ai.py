"""`create_app`'s seams: an AI service handed in (no HTTP server behind it), and the
aiohttp session a provider built from settings sends on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import httpx
import pytest
from httpx_sse import aconnect_sse

from my_flow_api.services.ai.service import AIService
from tests.fakes.openai_server import FakeOpenAI
from tests.support.app import make_settings, start_api
from tests.support.scripted import ScriptedProvider

pytestmark = pytest.mark.integration

TOKENS = ["Sure", ",", " I", "'ll", " note", " it", ".\n", "\n", "Done", "."]
FLOW = {"title": "Book a flight", "description": None, "priority": "high", "due_date": None}


async def _stream(client: httpx.AsyncClient, text: str) -> list[tuple[str, str]]:
    context = (await client.post("/api/v1/contexts", json={"name": "Work"})).json()["id"]
    body = {"context_id": context, "messages": [{"role": "user", "content": text}]}
    async with aconnect_sse(client, "POST", "/api/v1/conversations/stream", json=body) as src:
        assert src.response.status_code == 200
        return [(e.event, e.data) async for e in src.aiter_sse()]


async def test_an_injected_ai_service_answers_and_extracts(tmp_path: Path) -> None:
    provider = ScriptedProvider(TOKENS, flows=[FLOW])
    settings = make_settings(tmp_path, FLOW_EXTRACTOR="model")
    async for api in start_api(settings, ai=AIService(provider)):
        events = await _stream(api.client("alice"), "I need to book a flight, it's urgent")
        text = "".join(data for name, data in events if name == "message")
        assert text == "".join(TOKENS)
        [metadata] = [json.loads(d) for n, d in events if n == "metadata"]
        assert [(f["title"], f["priority"]) for f in metadata["flows"]] == [
            ("Book a flight", "high")
        ]
        [done] = [json.loads(d) for n, d in events if n == "done"]
        assert done["usage"] == {"input_tokens": 1, "output_tokens": len(TOKENS)}
        assert provider.seen[0][-1].content == "I need to book a flight, it's urgent"
    assert not provider.closed, "the app closes only what it built"


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


async def test_a_provider_sends_on_the_session_handed_in(tmp_path: Path, fake: FakeOpenAI) -> None:
    made: list[aiohttp.ClientSession] = []

    def session_factory() -> aiohttp.ClientSession:
        session = aiohttp.ClientSession(headers={"X-Embedder": "yes"})
        made.append(session)
        return session

    fake.script(tokens=["Hello", "!"], extraction={"flows": []})
    settings = make_settings(tmp_path, **fake.settings_overrides())
    async for api in start_api(settings, session_factory=session_factory):
        events = await _stream(api.client("alice"), "hi")
        assert "".join(d for n, d in events if n == "message") == "Hello!"
    assert len(made) == 1
    assert made[0].closed, "the provider closes the session it was handed"
    assert all(r.headers.get("x-embedder") == "yes" for r in fake.chat_requests)
