"""Extraction against servers that refuse output modes: the `json_modes` ladder, end to end
through `AIService.extract_flows`, the `openai` provider and the fake server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import pytest

from my_flow_api.models.conversation import MessageRole
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.ai.errors import (
    AIConfigurationError,
    AITimeoutError,
    AIUnavailableError,
)
from my_flow_api.services.ai.factory import build_provider
from my_flow_api.services.ai.json_modes import (
    MODE_MEMORY,
    SCHEMA_INSTRUCTION,
    JsonMode,
    ModeMemory,
)
from my_flow_api.services.ai.openai_provider import OpenAIProvider
from my_flow_api.services.ai.service import AIService
from my_flow_api.services.extraction.model_output import extraction_schema
from my_flow_api.services.extraction.service import FlowExtraction
from tests.fakes.http_base import RecordedRequest
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.services.support import FAST_RETRY, settings_for

pytestmark = pytest.mark.integration

CHAT = [
    ChatMessage(MessageRole.USER, "I must renew my passport before June."),
    ChatMessage(MessageRole.ASSISTANT, "Noted."),
]
FLOW = {"title": "Renew passport", "description": None, "priority": "high", "due_date": None}
ANSWER = json.dumps({"flows": [FLOW]})
NO_SCHEMAS = ("json_schema",)
NO_FORMATS = ("json_schema", "json_object")
NOTHING = ("json_schema", "json_object", None)


@pytest.fixture
def memory() -> ModeMemory:
    """A memory of this test's own, so what one test teaches no other test sees."""
    return ModeMemory()


@pytest.fixture
async def service(fake_openai: FakeOpenAI, memory: ModeMemory) -> AsyncIterator[AIService]:
    """A service whose provider talks to the fake and remembers modes in `memory`."""
    provider = OpenAIProvider(settings_for(fake_openai), modes=memory)
    service = AIService(provider, retry=FAST_RETRY)
    try:
        yield service
    finally:
        await service.aclose()


def _kinds(fake: FakeOpenAI) -> list[str | None]:
    """The `response_format.type` of each request (None: no `response_format`)."""
    return [(r.json().get("response_format") or {}).get("type") for r in fake.chat_requests]


def _system(request: RecordedRequest) -> str:
    return str(request.json()["messages"][0]["content"])


async def test_a_llama_cpp_500_for_schemas_falls_back_to_json_mode_and_remembers(
    fake_openai: FakeOpenAI, service: AIService, memory: ModeMemory
) -> None:
    fake_openai.script(extraction=ANSWER, refuse_formats=NO_SCHEMAS, refuse_status=500)
    first = await FlowExtraction(service.provider).extract(CHAT, "ctx-1")
    second = await FlowExtraction(service.provider).extract(CHAT, "ctx-1")
    assert [f.title for f in first] == [f.title for f in second] == ["Renew passport"]
    assert _kinds(fake_openai) == ["json_schema", "json_object", "json_object"]
    assert memory.start(f"{fake_openai.base_url}/v1") is JsonMode.JSON_OBJECT


@pytest.mark.parametrize(
    "answer",
    [
        f"Here are the tasks I found:\n{ANSWER}\nLet me know if you need more.",
        f"```json\n{ANSWER}\n```",
        f"Sure!\n```json\n{ANSWER}\n```\nAnything else?",
    ],
    ids=["prose", "fence", "prose-and-fence"],
)
async def test_a_server_refusing_both_formats_gets_the_schema_in_the_prompt(
    fake_openai: FakeOpenAI, service: AIService, answer: str
) -> None:
    fake_openai.script(extraction=answer, refuse_formats=NO_FORMATS, refuse_status=400)
    flows = await FlowExtraction(service.provider).extract(CHAT, "ctx-1")
    assert [f.title for f in flows] == ["Renew passport"]
    assert _kinds(fake_openai) == ["json_schema", "json_object", None]
    asked = fake_openai.chat_requests
    assert "response_format" not in asked[2].json()
    instruction, schema = _system(asked[2]).rsplit("\n", 2)[-2:]
    assert instruction == SCHEMA_INSTRUCTION
    assert json.loads(schema) == extraction_schema()
    assert SCHEMA_INSTRUCTION not in _system(asked[0]) + _system(asked[1])
    assert _system(asked[2]).startswith(_system(asked[0]))

    again = await FlowExtraction(service.provider).extract(CHAT, "ctx-1")
    assert [f.title for f in again] == ["Renew passport"]
    assert _kinds(fake_openai) == ["json_schema", "json_object", None, None]


@pytest.mark.parametrize("status", [415, 422])
async def test_other_refusal_statuses_move_down_the_ladder(
    fake_openai: FakeOpenAI, service: AIService, status: int
) -> None:
    fake_openai.script(extraction=ANSWER, refuse_formats=NO_SCHEMAS, refuse_status=status)
    flows = await FlowExtraction(service.provider).extract(CHAT, "ctx-1")
    assert [f.title for f in flows] == ["Renew passport"]
    assert _kinds(fake_openai) == ["json_schema", "json_object"]


async def test_a_plain_500_is_raised_and_not_asked_again_in_another_mode(
    fake_openai: FakeOpenAI, service: AIService, memory: ModeMemory
) -> None:
    fake_openai.script(extraction=ANSWER, fail_status=500)
    with pytest.raises(AIUnavailableError):
        await FlowExtraction(service.provider).extract(CHAT, "ctx-1")
    assert _kinds(fake_openai) == ["json_schema"]
    assert memory.start(f"{fake_openai.base_url}/v1") is JsonMode.JSON_SCHEMA


async def test_a_500_whose_body_names_something_else_is_not_a_refusal(
    fake_openai: FakeOpenAI, service: AIService
) -> None:
    body = {"error": {"message": "CUDA out of memory", "type": "internal_server_error"}}
    fake_openai.script(refuse_formats=NO_SCHEMAS, refuse_status=500, refuse_body=body)
    with pytest.raises(AIUnavailableError):
        await FlowExtraction(service.provider).extract(CHAT, "ctx-1")
    assert _kinds(fake_openai) == ["json_schema"]


async def test_rejected_credentials_are_raised_at_once(
    fake_openai: FakeOpenAI, service: AIService
) -> None:
    fake_openai.script(fail_status=401)
    with pytest.raises(AIConfigurationError, match="credentials"):
        await FlowExtraction(service.provider).extract(CHAT, "ctx-1")
    assert _kinds(fake_openai) == ["json_schema"]


async def test_a_timeout_is_raised_at_once(fake_openai: FakeOpenAI, memory: ModeMemory) -> None:
    fake_openai.script(extraction=ANSWER, first_byte_delay=2)
    settings = settings_for(fake_openai, AI_TIMEOUT_SECONDS=0.2)
    service = AIService(OpenAIProvider(settings, modes=memory), retry=FAST_RETRY)
    try:
        with pytest.raises(AITimeoutError):
            await FlowExtraction(service.provider).extract(CHAT, "ctx-1")
    finally:
        await service.aclose()
    assert _kinds(fake_openai) == ["json_schema"]


async def test_every_mode_refused_raises_the_last_refusal(
    fake_openai: FakeOpenAI, service: AIService, memory: ModeMemory
) -> None:
    fake_openai.script(extraction=ANSWER, refuse_formats=NOTHING, refuse_status=400)
    # The first refusal is a 500 (it would map to "unavailable"); the last is a 400.
    fake_openai.script_once(refuse_status=500)
    with pytest.raises(AIConfigurationError, match="rejected the request"):
        await FlowExtraction(service.provider).extract(CHAT, "ctx-1")
    assert _kinds(fake_openai) == ["json_schema", "json_object", None]
    assert memory.start(f"{fake_openai.base_url}/v1") is JsonMode.JSON_SCHEMA, "nothing worked"


async def test_the_mode_is_remembered_per_base_url(
    fake_openai: FakeOpenAI, memory: ModeMemory
) -> None:
    fake_openai.script(extraction=ANSWER, refuse_formats=NO_SCHEMAS, refuse_status=500)
    with FakeOpenAI(extraction=ANSWER) as other:
        services = [
            AIService(OpenAIProvider(settings_for(fake), modes=memory), retry=FAST_RETRY)
            for fake in (fake_openai, fake_openai, other)
        ]
        try:
            for service in services:
                assert await FlowExtraction(service.provider).extract(CHAT, "ctx-1")
        finally:
            for service in services:
                await service.aclose()
        assert _kinds(other) == ["json_schema"]
    assert _kinds(fake_openai) == ["json_schema", "json_object", "json_object"]


@pytest.fixture
def process_memory(fake_openai: FakeOpenAI) -> Iterator[None]:
    """Leave the process-wide memory as it was found for this fake's address."""
    yield
    MODE_MEMORY.forget(f"{fake_openai.base_url}/v1")


@pytest.mark.usefixtures("process_memory")
async def test_providers_built_from_settings_share_the_process_memory(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.script(extraction=ANSWER, refuse_formats=NO_SCHEMAS, refuse_status=500)
    for _ in range(2):
        service = AIService(build_provider(settings_for(fake_openai)), retry=FAST_RETRY)
        try:
            assert await FlowExtraction(service.provider).extract(CHAT, "ctx-1")
        finally:
            await service.aclose()
    assert _kinds(fake_openai) == ["json_schema", "json_object", "json_object"]
