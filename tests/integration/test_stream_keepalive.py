"""Keep-alive before the first token: the headers never wait longer than the ping interval,
so a silent upstream cannot leave the client without a byte; failures still get the status
code or the event that fits the moment they arrive. With streams in memory and on Redis."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from my_flow_api.config import Settings
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.test_conversations_api import assert_well_formed, chat, new_context, stream
from tests.support.app import Api, make_settings

PING_SECONDS = 1.0
SILENCE_SECONDS = 5.0
FIRST_COMMENT_BOUND = 3.0
"""Generous: the headers and a ping are due after one ping interval; the silence is 5 s."""


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(extraction={"flows": []}) as server:
        yield server


@pytest.fixture
def api_settings(tmp_path: Path, fake: FakeOpenAI, streams_mode: dict[str, Any]) -> Settings:
    return make_settings(
        tmp_path,
        **fake.settings_overrides(),
        **streams_mode,
        SSE_PING_SECONDS=PING_SECONDS,
        STREAM_FIRST_TOKEN_WAIT_SECONDS=SILENCE_SECONDS,
    )


async def _lines(client: httpx.AsyncClient, context_id: str) -> AsyncIterator[tuple[float, str]]:
    """Each line of a chat stream with the seconds since the request was sent."""
    sent = time.monotonic()
    async with client.stream("POST", "/api/v1/conversations/stream", json=chat(context_id)) as r:
        assert r.status_code == 200
        async for line in r.aiter_lines():
            yield time.monotonic() - sent, line


async def test_a_silent_upstream_gets_pings_within_the_interval(api: Api, fake: FakeOpenAI) -> None:
    fake.script(first_byte_delay=SILENCE_SECONDS, extraction={"flows": []})
    alice = api.client("alice")
    lines = [item async for item in _lines(alice, await new_context(alice))]
    pings = [at for at, line in lines if line == ": ping"]
    first_data = next(at for at, line in lines if line.startswith("data:"))
    assert pings, "no keep-alive while the upstream was silent"
    assert pings[0] < FIRST_COMMENT_BOUND, f"first comment after {pings[0]:.1f} s"
    assert len([at for at in pings if at < first_data]) >= 3, "pings kept coming"
    assert first_data >= SILENCE_SECONDS - 0.5
    assert [line for _, line in lines if line.startswith("event:")] == [
        "event: metadata",
        "event: done",
    ]


async def test_a_failure_before_the_headers_is_still_an_http_error(
    api: Api, fake: FakeOpenAI
) -> None:
    fake.script(fail_status=401)
    alice = api.client("alice")
    result = await stream(alice, chat(await new_context(alice)))
    assert result.status == 502
    assert result.body["code"] == "provider_configuration"
    assert result.headers["content-type"] == "application/json"


async def test_a_failure_after_the_headers_is_an_error_event(api: Api, fake: FakeOpenAI) -> None:
    fake.script(fail_status=401, first_byte_delay=PING_SECONDS * 2.5)
    alice = api.client("alice")
    result = await stream(alice, chat(await new_context(alice)))
    assert result.status == 200
    assert_well_formed(result)
    [error] = result.named("error")
    assert error["code"] == "provider_configuration"
