"""An upstream that stalls or floods (issue 21): silence after the headers is a
`provider_timeout` after `AI_IDLE_TIMEOUT_SECONDS` (an HTTP 504 before the headers went
out, an `error` event after), a turn capped with nothing written ends with an error, and a
line without an end is a `provider_protocol_error` once it passes the decoder's bound."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from my_flow_api.config import Settings
from my_flow_api.services.ai.sse import MAX_LINE_BYTES
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.test_conversations_api import assert_well_formed, chat, new_context, stream
from tests.support.app import Api, make_settings

pytestmark = pytest.mark.integration

IDLE = 1.0


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(tokens=["Hello", " there"], extraction={"flows": []}) as server:
        yield server


@pytest.fixture
def api_settings(tmp_path: Path, fake: FakeOpenAI, request: pytest.FixtureRequest) -> Settings:
    extra: dict[str, Any] = getattr(request, "param", {})
    values = {"AI_IDLE_TIMEOUT_SECONDS": IDLE, "STREAM_FIRST_TOKEN_WAIT_SECONDS": 0.3, **extra}
    return make_settings(tmp_path, **fake.settings_overrides(), **values)


async def test_silence_after_tokens_ends_the_turn_with_provider_timeout(
    api: Api, fake: FakeOpenAI
) -> None:
    fake.script(tokens=["Hello", " there", " never"], stall_after=2)
    alice = api.client("alice")
    started = time.monotonic()
    result = await stream(alice, chat(await new_context(alice)))
    took = time.monotonic() - started
    assert result.status == 200
    assert_well_formed(result)
    assert result.text == "Hello there"
    assert result.named("error")[0]["code"] == "provider_timeout"
    assert IDLE <= took < IDLE + 3


async def test_silence_before_any_token_is_an_error_not_a_long_wait(
    api: Api, fake: FakeOpenAI
) -> None:
    fake.script(stall_after=0)
    alice = api.client("alice")
    started = time.monotonic()
    result = await stream(alice, chat(await new_context(alice)))
    assert result.status == 200  # the headers went out after 0.3 s, with a ping
    assert result.named("error")[0]["code"] == "provider_timeout"
    assert not result.named("done")
    assert time.monotonic() - started < 3 * IDLE + 5  # three attempts, not the turn cap


@pytest.mark.parametrize(
    "api_settings",
    [{"STREAM_FIRST_TOKEN_WAIT_SECONDS": 5.0, "AI_IDLE_TIMEOUT_SECONDS": 0.5}],
    indirect=True,
)
async def test_silence_before_the_headers_is_a_504(api: Api, fake: FakeOpenAI) -> None:
    fake.script(stall_after=0)
    alice = api.client("alice")
    result = await stream(alice, chat(await new_context(alice)))
    assert (result.status, result.body["code"]) == (504, "provider_timeout")


@pytest.mark.parametrize(
    "api_settings",
    [{"STREAM_MAX_DURATION_SECONDS": 1.0, "AI_IDLE_TIMEOUT_SECONDS": 30.0}],
    indirect=True,
)
async def test_a_turn_capped_with_nothing_written_is_an_error(api: Api, fake: FakeOpenAI) -> None:
    fake.script(stall_after=0)
    alice = api.client("alice")
    context_id = await new_context(alice)
    result = await stream(alice, chat(context_id))
    assert result.status == 200
    assert_well_formed(result)
    error = result.named("error")[0]
    assert error["code"] == "provider_timeout"
    assert "nothing" in error["error"]
    listed = (await alice.get(f"/api/v1/contexts/{context_id}/conversations")).json()
    assert (listed["items"][0]["status"], listed["items"][0]["error_code"]) == (
        "failed",
        "provider_timeout",
    )


async def test_an_endless_line_is_a_protocol_error_within_bounded_memory(
    api: Api, fake: FakeOpenAI
) -> None:
    fake.script(endless_line_bytes=50 * 1024 * 1024)
    alice = api.client("alice")
    context_id = await new_context(alice)
    # the peak of this request's allocations, not the process's high-water mark (which an
    # earlier test, the local model's load, has already set far above 50 MB)
    tracemalloc.start()
    try:
        result = await stream(alice, chat(context_id))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the bound is reached within the header wait: an HTTP error, not an event
    assert (result.status, result.body["code"]) == (502, "provider_protocol_error")
    assert peak < 24 * MAX_LINE_BYTES, peak  # the fake's sending in it too; not 50 MB
