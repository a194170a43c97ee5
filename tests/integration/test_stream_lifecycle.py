"""Stream lifecycle over a real socket: disconnect policies, stop, resume, keep-alive,
per-user limits, metrics; each with streams in memory and shared on Redis."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from my_flow_api.config import Settings
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.test_conversations_api import (
    FLOWS,
    assert_well_formed,
    chat,
    new_context,
    stream,
)
from tests.support.app import Api, make_settings, start_api
from tests.support.sse import read_events, wait_for_status, wait_for_total

SLOW = {"tokens": [f"t{i} " for i in range(60)], "delay": 0.05, "extraction": FLOWS}


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(**SLOW) as server:
        yield server


@pytest.fixture
def settings_for(
    tmp_path: Path, fake: FakeOpenAI, streams_mode: dict[str, Any]
) -> Callable[..., Settings]:
    """Lifecycle settings with `extra` overrides, in the test's streams mode."""

    def build(**extra: Any) -> Settings:
        values: dict[str, Any] = {"SSE_PING_SECONDS": 5.0, "STREAM_FIRST_TOKEN_WAIT_SECONDS": 3.0}
        values.update(streams_mode)
        return make_settings(tmp_path, **fake.settings_overrides(), **{**values, **extra})

    return build


@pytest.fixture
def api_settings(settings_for: Callable[..., Settings]) -> Settings:
    return settings_for()


async def _read_then_leave(client: httpx.AsyncClient, body: dict[str, Any], n: int) -> str:
    """Read `n` events, then drop the connection; returns the stream id."""
    async with client.stream("POST", "/api/v1/conversations/stream", json=body) as response:
        assert response.status_code == 200
        await read_events(response, n)
        return response.headers["x-stream-id"]


async def test_continue_policy_finishes_the_turn_after_a_disconnect(
    api: Api, fake: FakeOpenAI
) -> None:
    alice = api.client("alice")
    context_id = await new_context(alice)
    await _read_then_leave(alice, chat(context_id), 3)
    conversation = await wait_for_status(alice, context_id, "complete", within=15)
    stored = (await alice.get(f"/api/v1/conversations/{conversation['id']}")).json()
    assert stored["messages"][-1]["content"] == "".join(SLOW["tokens"])
    await wait_for_total(alice, f"/api/v1/contexts/{context_id}/flows", 2, within=5)


async def test_cancel_policy_stops_the_upstream_within_a_second(
    settings_for: Callable[..., Settings], fake: FakeOpenAI
) -> None:
    settings = settings_for(STREAM_ON_DISCONNECT="cancel")
    async for api in start_api(settings):
        alice = api.client("alice")
        context_id = await new_context(alice)
        await _read_then_leave(alice, chat(context_id), 3)
        assert await fake.wait_closed(1.0), "the upstream connection outlived the client"
        conversation = await wait_for_status(alice, context_id, "interrupted", within=5)
        stored = (await alice.get(f"/api/v1/conversations/{conversation['id']}")).json()
        partial = stored["messages"][-1]["content"]
        assert partial.startswith("t0 t1 ")
        assert len(partial) < len("".join(SLOW["tokens"]))
        assert (await alice.get(f"/api/v1/contexts/{context_id}/flows")).json()["total"] == 0
        assert len(fake.chat_requests) == 1, "no extraction after an interrupted turn"


async def test_cancel_policy_also_stops_when_the_client_left_before_the_first_token(
    settings_for: Callable[..., Settings], fake: FakeOpenAI
) -> None:
    fake.script(**{**SLOW, "first_byte_delay": 1.0})
    settings = settings_for(STREAM_ON_DISCONNECT="cancel")
    async for api in start_api(settings):
        alice = api.client("alice")
        context_id = await new_context(alice)
        impatient = httpx.AsyncClient(
            base_url=api.base_url, headers=alice.headers, timeout=httpx.Timeout(0.3)
        )
        async with impatient:
            with pytest.raises(httpx.ReadTimeout):
                await impatient.post("/api/v1/conversations/stream", json=chat(context_id))
        await wait_for_status(alice, context_id, "interrupted", within=5)
        assert await fake.wait_closed(1.0)


async def test_stop_is_for_the_owner_and_ends_with_done_cancelled(
    api: Api, fake: FakeOpenAI
) -> None:
    alice, bob = api.client("alice"), api.client("bob")
    context_id = await new_context(alice)
    async with alice.stream("POST", "/api/v1/conversations/stream", json=chat(context_id)) as r:
        stream_id = r.headers["x-stream-id"]
        first = await read_events(r, 2)
        cancel_url = f"/api/v1/conversations/streams/{stream_id}/cancel"
        assert (await bob.post(cancel_url)).status_code == 404
        stopped = await alice.post(cancel_url)
        assert stopped.status_code == 200
        assert stopped.json()["finished"] is True
        assert await fake.wait_closed(1.0)
        rest = await read_events(r, 1000)
    events = first + rest
    assert [e[0] for e in events[-2:]] == ["metadata", "done"]
    assert '"finish_reason":"cancelled"' in events[-1][1]
    again = await alice.post(cancel_url)
    assert again.status_code == 200
    assert again.json()["stop_requested"] is True
    conversation = await wait_for_status(alice, context_id, "cancelled", within=5)
    stored = (await alice.get(f"/api/v1/conversations/{conversation['id']}")).json()
    assert stored["messages"][-1]["content"].startswith("t0 ")


async def test_resume_replays_exactly_the_missing_suffix(api: Api, fake: FakeOpenAI) -> None:
    alice = api.client("alice")
    context_id = await new_context(alice)
    async with alice.stream("POST", "/api/v1/conversations/stream", json=chat(context_id)) as r:
        stream_id = r.headers["x-stream-id"]
        head = await read_events(r, 5)
    url = f"/api/v1/conversations/streams/{stream_id}"
    async with alice.stream("GET", url, headers={"Last-Event-ID": head[-1][2]}) as live:
        assert live.status_code == 200
        tail = await read_events(live, 1000)
    ids = [int(e[2]) for e in head + tail]
    assert ids == list(range(1, len(ids) + 1)), "no gap, no duplicate"
    text = "".join(data for name, data, _ in head + tail if name == "message")
    assert text == "".join(SLOW["tokens"])
    assert tail[-1][0] == "done"
    async with alice.stream("GET", url, params={"last_event_id": 10}) as finished:
        replay = await read_events(finished, 1000)
    assert [e[2] for e in replay] == [e[2] for e in (head + tail)[10:]]
    assert (await alice.get(url.replace(stream_id, "unknown"))).status_code == 404
    assert (await api.client("bob").get(url)).status_code == 404


async def test_pings_keep_an_idle_stream_alive(
    settings_for: Callable[..., Settings], fake: FakeOpenAI
) -> None:
    fake.script(tokens=["late"], first_byte_delay=1.2, extraction={"flows": []})
    settings = settings_for(SSE_PING_SECONDS=0.2, STREAM_FIRST_TOKEN_WAIT_SECONDS=0.1)
    async for api in start_api(settings):
        alice = api.client("alice")
        body = chat(await new_context(alice))
        async with alice.stream("POST", "/api/v1/conversations/stream", json=body) as r:
            lines = [line async for line in r.aiter_lines()]
    pings = [i for i, line in enumerate(lines) if line == ": ping"]
    first_data = next(i for i, line in enumerate(lines) if line.startswith("data:"))
    assert len(pings) >= 3
    assert pings[0] < first_data


async def test_a_fourth_concurrent_stream_is_429(api: Api, fake: FakeOpenAI) -> None:
    alice = api.client("alice")
    context_id = await new_context(alice)
    url = "/api/v1/conversations/stream"
    async with (
        alice.stream("POST", url, json=chat(context_id)) as one,
        alice.stream("POST", url, json=chat(context_id)) as two,
        alice.stream("POST", url, json=chat(context_id)) as three,
    ):
        assert {one.status_code, two.status_code, three.status_code} == {200}
        fourth = await alice.post(url, json=chat(context_id))
        assert fourth.status_code == 429
        assert int(fourth.headers["retry-after"]) >= 1
        assert fourth.json()["code"] == "too_many_streams"
        other_user = api.client("bob")
        bob_stream = await stream(other_user, chat(await new_context(other_user)))
        assert bob_stream.status == 200
    fake.script(tokens=["quick"], extraction={"flows": []})
    deadline = time.monotonic() + 15
    while (result := await stream(alice, chat(context_id))).status == 429:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.2)
    assert_well_formed(result)


async def test_too_many_characters_in_total_is_413(api: Api) -> None:
    alice = api.client("alice")
    context_id = await new_context(alice)
    texts = ["x" * 10_000] * 13
    result = await stream(alice, chat(context_id, *texts))
    assert result.status == 413
    assert result.body["code"] == "payload_too_large"


async def test_max_duration_ends_the_turn_with_its_reason(
    settings_for: Callable[..., Settings], fake: FakeOpenAI
) -> None:
    settings = settings_for(STREAM_MAX_DURATION_SECONDS=0.5)
    async for api in start_api(settings):
        alice = api.client("alice")
        result = await stream(alice, chat(await new_context(alice)))
        assert_well_formed(result)
        assert result.named("done")[0]["finish_reason"] == "max_duration"
        assert 0 < len(result.text) < len("".join(SLOW["tokens"]))


async def test_metrics_at_the_root_count_streams_tokens_and_flows(
    api: Api, fake: FakeOpenAI
) -> None:
    fake.script(tokens=["a", "b", "c"], extraction=FLOWS)
    alice = api.client("alice")
    await stream(alice, chat(await new_context(alice)))
    fake.script(fail_status=401)
    await stream(alice, chat(await new_context(alice)))
    anonymous = api.client()
    scraped = await anonymous.get("/metrics")
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain; version=")
    text = scraped.text
    assert (await anonymous.get("/api/v1/metrics")).text == text
    assert 'myflow_stream_outcomes_total{outcome="done"} 1.0' in text
    assert 'myflow_stream_outcomes_total{outcome="error"} 1.0' in text
    assert "myflow_tokens_relayed_total 3.0" in text
    assert "myflow_flows_created_total 2.0" in text
    assert 'myflow_provider_errors_total{code="provider_configuration"} 1.0' in text
    assert "myflow_streams_active 0.0" in text
    assert "myflow_stream_first_token_seconds_count 1.0" in text
