"""The `anthropic` provider: Claude through the Messages API."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import structlog

from my_flow_api.config import Settings
from my_flow_api.models.conversation import Usage
from my_flow_api.services.ai.base import ChatChunk, ChatMessage
from my_flow_api.services.ai.conversion import Turn, to_anthropic_messages
from my_flow_api.services.ai.errors import AIUnavailableError
from my_flow_api.services.ai.errors_map import (
    CAUGHT,
    ProviderStatusError,
    from_error_body,
    map_error,
)
from my_flow_api.services.ai.factory import provider_key
from my_flow_api.services.ai.http import ProviderHTTP, SessionFactory
from my_flow_api.services.ai.sse import parse_json, sse_data

log = structlog.get_logger(__name__)

EXTRACTION_TOOL = "record_flows"
FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "refusal": "content_filter",
    "tool_use": "tool_calls",
}
"""Anthropic stop reasons in the OpenAI vocabulary the rest of the service uses."""
_DROPPABLE = ("temperature", "strict")
MESSAGES_PATH = "/v1/messages"
DEFAULT_BASE_URL = "https://api.anthropic.com"
API_VERSION = "2023-06-01"
BAD_REQUEST = 400


class AnthropicProvider:
    """Streams the Messages API; extracts through a forced, strict tool call.

    Requests carry `x-api-key` and `anthropic-version` and go out through `ProviderHTTP`;
    streamed bodies are read with `sse_data`.

    The system prompt goes in `system` (client system messages folded in), turns are merged
    to alternate. `temperature` travels in the body and, like `strict` tools, is dropped
    for good once the model rejects it with HTTP 400.
    """

    name = "anthropic"

    def __init__(
        self, settings: Settings, *, session_factory: SessionFactory | None = None
    ) -> None:
        headers = {"x-api-key": provider_key(settings), "anthropic-version": API_VERSION}
        self.model = settings.ANTHROPIC_MODEL
        base = settings.ANTHROPIC_BASE_URL or DEFAULT_BASE_URL
        timeout, idle = settings.AI_TIMEOUT_SECONDS, settings.AI_IDLE_TIMEOUT_SECONDS
        self._http = ProviderHTTP(base, headers, timeout, session_factory, idle)
        self.unsupported: set[str] = set()

    async def stream_chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        system: str,
        max_tokens: int,
        temperature: float,
    ) -> AsyncIterator[ChatChunk]:
        """Yield text chunks as they arrive, then one chunk with usage and finish reason."""
        system_text, converted = to_anthropic_messages(messages, system)
        produced = completed = False
        may_relearn = True
        stop_reason: str | None = None
        input_tokens: int | None = None
        output_tokens: int | None = None
        while True:
            try:
                payload = {
                    "model": self.model,
                    "max_tokens": max_tokens,
                    "system": system_text,
                    "messages": converted,
                    "stream": True,
                    **self._sampling(temperature),
                }
                async with self._http.stream(MESSAGES_PATH, payload) as response:
                    async for data in sse_data(response.chunks()):
                        event = parse_json(data.decode())
                        kind = event["type"]
                        if kind == "content_block_delta":
                            delta = event["delta"]
                            text = delta.get("text")
                            if text and delta["type"] == "text_delta":
                                produced = True
                                yield ChatChunk(text)
                        elif kind == "message_start":
                            input_tokens = event["message"]["usage"].get("input_tokens")
                        elif kind == "message_delta":
                            stop_reason = event["delta"].get("stop_reason")
                            usage = event.get("usage") or {}
                            output_tokens = usage.get("output_tokens", output_tokens)
                            input_tokens = usage.get("input_tokens") or input_tokens
                        elif kind == "message_stop":
                            completed = True
                        elif kind == "error":
                            raise from_error_body(event, provider=self.name, produced_text=produced)
                break
            except ProviderStatusError as exc:
                relearn = exc.status == BAD_REQUEST and not produced and may_relearn
                if not relearn or not self._learn(exc, ("temperature",)):
                    raise map_error(exc, self.name, produced_text=produced) from exc
                may_relearn = False
            except CAUGHT as exc:
                raise map_error(exc, self.name, produced_text=produced) from exc
        if not completed:
            raise AIUnavailableError(
                "The anthropic provider ended the answer early", produced_text=produced
            )
        usage_total = Usage(input_tokens=input_tokens, output_tokens=output_tokens)
        finish = FINISH_REASONS.get(stop_reason, stop_reason) if stop_reason else None
        yield ChatChunk(usage=usage_total, finish_reason=finish)

    async def complete_json(
        self,
        messages: Sequence[ChatMessage],
        *,
        system: str,
        schema: dict[str, Any],
        schema_name: str,
        max_tokens: int,
        temperature: float,
    ) -> str:
        """The JSON input of a forced tool call whose input schema is `schema`."""
        system_text, converted = to_anthropic_messages(messages, system)
        try:
            try:
                return await self._extract(system_text, converted, schema, max_tokens, temperature)
            except ProviderStatusError as exc:
                if exc.status != BAD_REQUEST or not self._learn(exc, _DROPPABLE):
                    raise
                return await self._extract(system_text, converted, schema, max_tokens, temperature)
        except CAUGHT as exc:
            raise map_error(exc, self.name, produced_text=False) from exc

    async def _extract(
        self,
        system: str,
        messages: list[Turn],
        schema: dict[str, Any],
        max_tokens: int,
        temperature: float,
    ) -> str:
        tool: dict[str, object] = {
            "name": EXTRACTION_TOOL,
            "description": "Record the actionable tasks (flows) found in the conversation.",
            "input_schema": schema,
        }
        if "strict" not in self.unsupported:
            tool["strict"] = True
        payload: dict[str, object] = {
            "model": self.model,
            "max_tokens": max_tokens,
            "system": system,
            "messages": messages,
            "tools": [tool],
            "tool_choice": {
                "type": "tool",
                "name": EXTRACTION_TOOL,
                "disable_parallel_tool_use": True,
            },
            **self._sampling(temperature),
        }
        blocks = (await self._http.post(MESSAGES_PATH, payload)).get("content") or []
        for block in blocks:
            if block.get("type") == "tool_use" and block.get("name") == EXTRACTION_TOOL:
                return json.dumps(block.get("input"))
        return "".join(str(b.get("text", "")) for b in blocks if b.get("type") == "text")

    def _sampling(self, temperature: float) -> dict[str, object]:
        return {} if "temperature" in self.unsupported else {"temperature": temperature}

    def _learn(self, exc: ProviderStatusError, fields: tuple[str, ...]) -> bool:
        """Remember a request field the model rejected; True when a retry without it helps."""
        text = (exc.message or str(exc.body)).lower()
        for field in fields:
            if field in text and field not in self.unsupported:
                self.unsupported.add(field)
                log.info("model rejected a request field; dropping it", field=field)
                return True
        return False

    async def aclose(self) -> None:
        """Close the HTTP session."""
        await self._http.aclose()
