"""The output-mode ladder's parts: what a refusal is, what each mode sends, the memory."""

from __future__ import annotations

import json

import pytest
from structlog.testing import CapturingLogger

from my_flow_api.services.ai.errors_map import ProviderStatusError
from my_flow_api.services.ai.json_modes import (
    LADDER,
    SCHEMA_INSTRUCTION,
    JsonMode,
    ModeMemory,
    complete_in_modes,
    mode_request,
    refuses_mode,
)

SCHEMA = {"type": "object", "properties": {"flows": {"type": "array"}}, "required": ["flows"]}
LLAMA_CPP = {
    "error": {
        "message": "1 validation error for CreateChatCompletionRequest\nresponse_format.type\n"
        "  Input should be 'text' or 'json_object' [type=literal_error]",
        "type": "internal_server_error",
        "param": None,
        "code": None,
    }
}
URL = "http://user:secret@llama.internal:8080/v1/?key=abc"


def _status(status: int, body: object = None) -> ProviderStatusError:
    return ProviderStatusError(status, {}, body)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, None),
        (415, None),
        (422, {"detail": [{"loc": ["body", "messages"]}]}),
        (500, LLAMA_CPP),
        (500, {"error": {"message": "Input should be 'text' or 'json_object'"}}),
        (500, {"detail": "json_schema is not supported"}),
        (500, {"error": {"message": "unknown Response_Format"}}),
    ],
)
def test_refusals(status: int, body: object) -> None:
    assert refuses_mode(_status(status, body))


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, {"error": {"message": "bad response_format or key"}}),
        (429, None),
        (500, None),
        (500, {"error": {"message": "The server had an error", "type": "server_error"}}),
        (502, LLAMA_CPP),
        (503, None),
    ],
)
def test_failures_that_are_not_refusals(status: int, body: object) -> None:
    assert not refuses_mode(_status(status, body))


def test_json_schema_mode_is_strict_and_keeps_the_prompt() -> None:
    shape = mode_request(JsonMode.JSON_SCHEMA, system="S", schema=SCHEMA, schema_name="x")
    assert shape.system == "S"
    assert shape.response_format == {
        "type": "json_schema",
        "json_schema": {"name": "x", "schema": SCHEMA, "strict": True},
    }


def test_json_object_mode_keeps_the_prompt() -> None:
    shape = mode_request(JsonMode.JSON_OBJECT, system="S", schema=SCHEMA, schema_name="x")
    assert (shape.system, shape.response_format) == ("S", {"type": "json_object"})


def test_instructions_mode_puts_the_compact_schema_in_the_prompt() -> None:
    shape = mode_request(JsonMode.INSTRUCTIONS, system="S", schema=SCHEMA, schema_name="x")
    assert shape.response_format is None
    assert shape.system == f"S\n\n{SCHEMA_INSTRUCTION}\n{json.dumps(SCHEMA, separators=(',', ':'))}"


def test_memory_starts_at_the_top_and_logs_each_change_once_without_secrets() -> None:
    logger = CapturingLogger()
    memory = ModeMemory(logger)
    assert memory.start(URL) is LADDER[0]
    memory.learn(URL, JsonMode.JSON_SCHEMA)
    assert logger.calls == [], "the default is no change"
    memory.learn(URL, JsonMode.JSON_OBJECT)
    memory.learn(URL, JsonMode.JSON_OBJECT)
    assert memory.start(URL) is JsonMode.JSON_OBJECT
    assert memory.start(URL.replace("/v1/", "/v1")) is JsonMode.JSON_OBJECT, "slash or not"
    assert memory.start("http://other:8080/v1") is JsonMode.JSON_SCHEMA
    [call] = logger.calls
    assert call.method_name == "info"
    assert call.kwargs == {
        "endpoint": "http://llama.internal:8080",
        "mode": "json_object",
        "previous": "json_schema",
    }
    memory.forget(URL)
    assert memory.start(URL) is JsonMode.JSON_SCHEMA


async def test_the_walk_starts_at_the_remembered_mode() -> None:
    memory = ModeMemory(CapturingLogger())
    memory.learn(URL, JsonMode.INSTRUCTIONS)
    sent: list[JsonMode] = []

    async def send(mode: JsonMode) -> str:
        sent.append(mode)
        raise _status(400)

    with pytest.raises(ProviderStatusError):
        await complete_in_modes(send, memory, URL)
    assert sent == [JsonMode.INSTRUCTIONS]
