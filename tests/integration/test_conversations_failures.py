"""The streaming endpoint when things go wrong: upstream failures before and after the first
token, extraction failures, one flow failing to be stored, missing scopes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from my_flow_api.config import Settings
from my_flow_api.models.flow_change import TurnPlan, TurnWrite
from my_flow_api.repositories.protocols import FlowRepository, Store
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.test_conversations_api import (
    FLOWS,
    assert_well_formed,
    chat,
    new_context,
    stream,
)
from tests.support.app import Api, make_settings


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(tokens=["Hello", " there", "!"], extraction=FLOWS) as server:
        yield server


@pytest.fixture
def api_settings(tmp_path: Path, fake: FakeOpenAI) -> Settings:
    return make_settings(
        tmp_path,
        **fake.settings_overrides(),
        AI_TIMEOUT_SECONDS=0.5,
        STREAM_FIRST_TOKEN_WAIT_SECONDS=8.0,
    )


@pytest.mark.parametrize(
    ("script", "status", "code"),
    [
        ({"fail_status": 401}, 502, "provider_configuration"),
        ({"fail_status": 404}, 502, "provider_configuration"),
        ({"fail_status": 429, "retry_after": 0}, 503, "provider_rate_limited"),
        ({"fail_status": 500, "retry_after": 0}, 503, "provider_unavailable"),
        ({"first_byte_delay": 1.5}, 504, "provider_timeout"),
    ],
)
async def test_provider_failing_before_the_first_token_is_an_http_error(
    api: Api, fake: FakeOpenAI, script: dict[str, Any], status: int, code: str
) -> None:
    fake.script(**script)
    alice = api.client("alice")
    context_id = await new_context(alice)
    result = await stream(alice, chat(context_id))
    assert result.status == status
    assert result.body["code"] == code
    assert result.headers["content-type"] == "application/json"
    listed = (await alice.get(f"/api/v1/contexts/{context_id}/conversations")).json()
    assert [c["status"] for c in listed["items"]] == ["failed"]
    assert listed["items"][0]["error_code"] == code


async def test_rate_limit_passes_retry_after_on(api: Api, fake: FakeOpenAI) -> None:
    fake.script(fail_status=429, retry_after=30)
    alice = api.client("alice")
    result = await stream(alice, chat(await new_context(alice)))
    assert result.status == 503
    assert result.headers["retry-after"] == "30"


async def test_failure_after_the_first_token_ends_with_an_error_event(
    api: Api, fake: FakeOpenAI
) -> None:
    fake.script(tokens=["one", " two", " three"], drop_after=2)
    alice = api.client("alice")
    context_id = await new_context(alice)
    result = await stream(alice, chat(context_id))
    assert result.status == 200
    assert_well_formed(result)
    assert result.text == "one two"
    [error] = result.named("error")
    assert error["code"] == "provider_unavailable"
    assert error["error"]
    assert result.named("metadata") == []
    conversation = (await alice.get(f"/api/v1/contexts/{context_id}/conversations")).json()
    assert conversation["items"][0]["status"] == "failed"


@pytest.mark.parametrize(
    "extraction", ["{not json", '{"flows": "nope"}', {"flows": [{"title": ""}]}, []]
)
async def test_unusable_extraction_output_is_not_an_error(
    api: Api, fake: FakeOpenAI, extraction: Any
) -> None:
    fake.script(tokens=["fine"], extraction=extraction)
    alice = api.client("alice")
    result = await stream(alice, chat(await new_context(alice)))
    assert_well_formed(result)
    assert result.named("metadata") == [
        {"event": "flows_extracted", "flows": [], "extracted_flows": [], "changes": []}
    ]
    assert result.named("done")[0]["finish_reason"] == "stop"


async def test_extraction_call_failing_is_not_an_error(api: Api, fake: FakeOpenAI) -> None:
    fake.script_once(tokens=["fine"])
    fake.script_once(fail_status=500, retry_after=0)
    fake.script_once(fail_status=500, retry_after=0)
    fake.script_once(fail_status=500, retry_after=0)
    alice = api.client("alice")
    result = await stream(alice, chat(await new_context(alice)))
    assert result.text == "fine"
    assert result.named("metadata")[0]["flows"] == []
    assert len(result.named("done")) == 1


class _FailingTitle:
    """Wraps the real flow repository; a turn holding one chosen title fails like a broken
    write (the real store then rolls the whole turn back)."""

    def __init__(self, inner: FlowRepository, title: str) -> None:
        self._inner = inner
        self._title = title

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def apply_turn(self, user_id: str, context_id: str, plan: TurnPlan) -> TurnWrite:
        if any(data.title == self._title for data in plan.create):
            raise RuntimeError("disk full")
        return await self._inner.apply_turn(user_id, context_id, plan)


class _StoreWithFlows:
    def __init__(self, inner: Store, flows: FlowRepository) -> None:
        self._inner = inner
        self.flows = flows

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


async def test_a_turn_failing_to_be_stored_keeps_the_answer_and_nothing_half_done(
    api: Api, fake: FakeOpenAI
) -> None:
    """A turn's new flows and changes are applied together (issue 22): a store failing
    under them loses the turn's flows, never the answer, and never keeps half of them."""
    service = api.app.state.chat_service
    service.store = _StoreWithFlows(
        service.store, _FailingTitle(service.store.flows, "Book a flight")
    )
    alice = api.client("alice")
    context_id = await new_context(alice)
    result = await stream(alice, chat(context_id))
    assert_well_formed(result)
    [metadata] = result.named("metadata")
    assert metadata["flows"] == []
    assert metadata["changes"] == []
    assert result.text
    listed = (await alice.get(f"/api/v1/contexts/{context_id}/flows")).json()
    assert listed["items"] == []


@pytest.fixture
def scoped_settings(tmp_path: Path, fake: FakeOpenAI) -> Settings:
    return make_settings(tmp_path, **fake.settings_overrides(), AUTH_REQUIRED_SCOPES=["chat"])


async def test_a_token_without_the_required_scope_is_403(
    scoped_settings: Settings, fake: FakeOpenAI
) -> None:
    from tests.support.app import start_api

    async for api in start_api(scoped_settings):
        unscoped = await stream(api.client("alice"), chat("any"))
        assert unscoped.status == 403
        scoped = api.client("alice", scopes=["chat"])
        context = await scoped.post("/api/v1/contexts", json={"name": "Work"})
        ok = await stream(scoped, chat(context.json()["id"]))
        assert ok.status == 200
        assert len(ok.named("done")) == 1
