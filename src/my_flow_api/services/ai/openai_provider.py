"""The `openai` provider: OpenAI, or any OpenAI-compatible server via `OPENAI_BASE_URL`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from my_flow_api.config import Settings
from my_flow_api.models.conversation import Usage
from my_flow_api.services.ai.base import ChatChunk, ChatMessage
from my_flow_api.services.ai.conversion import to_openai_messages
from my_flow_api.services.ai.errors import AIUnavailableError
from my_flow_api.services.ai.errors_map import (
    CAUGHT,
    TRANSPORT_ERRORS,
    from_error_body,
    map_error,
)
from my_flow_api.services.ai.factory import provider_key
from my_flow_api.services.ai.http import ProviderHTTP, SessionFactory
from my_flow_api.services.ai.json_modes import (
    MODE_MEMORY,
    JsonMode,
    ModeMemory,
    complete_in_modes,
    mode_request,
)
from my_flow_api.services.ai.sse import parse_json, sse_data

DONE = b"[DONE]"
DRAIN_SECONDS = 0.1
CHAT_PATH = "/chat/completions"
DEFAULT_BASE_URL = "https://api.openai.com/v1"


class OpenAIProvider:
    """Streams with `chat.completions` (usage included); extracts with structured outputs.

    Requests carry a bearer key and go out through `ProviderHTTP`; streamed bodies are
    read with `sse_data`, which builds no typed object per chunk (`bench/README.md`).

    Extraction walks the output-mode ladder of `json_modes` (`json_schema`, `json_object`,
    then the schema in the prompt) while the server refuses a mode, and starts later calls
    in the mode that worked for this base URL. There are no retries here: `AIService`
    retries, and only before the first token.
    """

    name = "openai"

    def __init__(
        self,
        settings: Settings,
        *,
        modes: ModeMemory | None = None,
        session_factory: SessionFactory | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {provider_key(settings)}"}
        self.model = settings.OPENAI_MODEL
        self._base_url = settings.OPENAI_BASE_URL or DEFAULT_BASE_URL
        timeout = settings.AI_TIMEOUT_SECONDS
        self._http = ProviderHTTP(
            self._base_url, headers, timeout, session_factory, settings.AI_IDLE_TIMEOUT_SECONDS
        )
        # OpenAI's own models take `max_completion_tokens`; compatible servers know `max_tokens`.
        self._limit_field = "max_tokens" if settings.OPENAI_BASE_URL else "max_completion_tokens"
        self._modes = MODE_MEMORY if modes is None else modes

    async def stream_chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        system: str,
        max_tokens: int,
        temperature: float,
    ) -> AsyncIterator[ChatChunk]:
        """Yield text chunks as they arrive, then one chunk with usage and finish reason."""
        produced = False
        finish: str | None = None
        usage: Usage | None = None
        payload = {
            "model": self.model,
            "messages": to_openai_messages(messages, system),
            "stream": True,
            "stream_options": {"include_usage": True},
            "temperature": temperature,
            self._limit_field: max_tokens,
        }
        try:
            async with self._http.stream(CHAT_PATH, payload) as response:
                events = sse_data(response.chunks())
                async for data in events:
                    if data == DONE:
                        await _drain(events)
                        break
                    event = parse_json(data.decode())
                    choices = event.get("choices")
                    if choices:
                        choice = choices[0]
                        delta = choice.get("delta")
                        text = delta.get("content") if delta else None
                        if text:
                            produced = True
                            yield ChatChunk(text)
                        if choice.get("finish_reason"):
                            finish = choice["finish_reason"]
                    elif "error" in event:
                        raise from_error_body(event, provider=self.name, produced_text=produced)
                    if event.get("usage"):
                        usage = _usage(event["usage"])
        except CAUGHT as exc:
            raise map_error(exc, self.name, produced_text=produced) from exc
        if finish is None and usage is None:
            raise AIUnavailableError(
                "The openai provider ended the answer early", produced_text=produced
            )
        yield ChatChunk(usage=usage, finish_reason=finish)

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
        """The answer's JSON text, in the most constrained output mode the server accepts."""

        async def send(mode: JsonMode) -> str:
            shape = mode_request(mode, system=system, schema=schema, schema_name=schema_name)
            payload: dict[str, Any] = {
                "model": self.model,
                "messages": to_openai_messages(messages, shape.system),
                "temperature": temperature,
                self._limit_field: max_tokens,
            }
            if shape.response_format is not None:
                payload["response_format"] = shape.response_format
            return await self._complete(payload)

        try:
            return await complete_in_modes(send, self._modes, self._base_url)
        except CAUGHT as exc:
            raise map_error(exc, self.name, produced_text=False) from exc

    @property
    def json_mode(self) -> JsonMode:
        """The output mode the next extraction starts in."""
        return self._modes.start(self._base_url)

    async def _complete(self, payload: dict[str, Any]) -> str:
        choices = (await self._http.post(CHAT_PATH, payload)).get("choices")
        if not choices:
            return ""
        return str(choices[0]["message"].get("content") or "")

    async def aclose(self) -> None:
        """Close the HTTP session."""
        await self._http.aclose()


async def _drain(events: AsyncIterator[bytes]) -> None:
    """Read what follows `[DONE]` (normally just the end of the body) so the connection can
    be reused, but never wait for it long: the answer is complete."""
    with contextlib.suppress(TimeoutError, *TRANSPORT_ERRORS):
        async with asyncio.timeout(DRAIN_SECONDS):
            async for _ in events:
                pass


def _usage(raw: dict[str, Any]) -> Usage:
    return Usage(input_tokens=raw.get("prompt_tokens"), output_tokens=raw.get("completion_tokens"))
