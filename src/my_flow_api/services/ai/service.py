"""The AI service the chat turn uses: streamed answers, retried before the first token.

The provider (`local`, `openai`, `anthropic`) is chosen by `AI_PROVIDER`; everything here
is provider-neutral. Failures are `AIServiceError`s whose `produced_text` tells whether any
text had already been streamed: before the first token the endpoint answers with an HTTP
error, after it with an SSE `error` event. Retries happen only before the first token.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Sequence
from dataclasses import dataclass

import structlog

from my_flow_api.config import Settings
from my_flow_api.models.conversation import Message
from my_flow_api.services.ai.base import ChatChunk, ChatMessage, ChatProvider
from my_flow_api.services.ai.conversion import to_chat_messages
from my_flow_api.services.ai.errors import (
    AIRateLimitedError,
    AITimeoutError,
    AIUnavailableError,
)
from my_flow_api.services.ai.factory import build_provider
from my_flow_api.services.ai.http import SessionFactory
from my_flow_api.services.ai.prompts import assistant_system_prompt, captured_note

log = structlog.get_logger(__name__)

CHAT_TEMPERATURE = 0.7
RETRYABLE = (AIRateLimitedError, AIUnavailableError, AITimeoutError)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry a stream that failed before its first token."""

    attempts: int = 3
    """Attempts in all, the first included."""
    base_delay: float = 0.5
    max_delay: float = 4.0
    max_retry_after: float = 10.0
    """A provider asking to wait longer than this is not retried; the error goes out."""

    def delay(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait after failed attempt `attempt` (1-based); None: do not retry."""
        if attempt >= self.attempts:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        backoff = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return backoff * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not security


class AIService:
    """Streams chat answers through one `ChatProvider` (extraction: `extraction.service`)."""

    def __init__(
        self,
        provider: ChatProvider,
        *,
        max_output_tokens: int = 1024,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.provider = provider
        self.max_output_tokens = max_output_tokens
        self.retry = retry or RetryPolicy()

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        retry: RetryPolicy | None = None,
        session_factory: SessionFactory | None = None,
    ) -> AIService:
        """The service for `AI_PROVIDER`; raises `AIConfigurationError` if it cannot be built."""
        provider = build_provider(settings, session_factory)
        return cls(provider, max_output_tokens=settings.AI_MAX_OUTPUT_TOKENS, retry=retry)

    @property
    def provider_name(self) -> str:
        """`local`, `openai` or `anthropic`."""
        return self.provider.name

    @property
    def model(self) -> str:
        """The model the provider uses."""
        return self.provider.model

    async def stream_chat(
        self,
        messages: Iterable[Message | ChatMessage],
        context_id: str,
        *,
        context_name: str | None = None,
        captured: Sequence[str] = (),
    ) -> AsyncGenerator[ChatChunk, None]:
        """Stream the answer: text chunks in order, then one chunk with usage and finish reason.

        Rate-limit, unavailable and time-out failures before the first chunk are retried
        with backoff (per `retry`); after it, errors propagate with `produced_text=True`.
        Closing this generator (or cancelling its consumer) closes the upstream request.
        """
        chat = to_chat_messages(messages)
        system = assistant_system_prompt(context_name) + captured_note(list(captured))
        attempt = 1
        while True:
            stream = self.provider.stream_chat(
                chat, system=system, max_tokens=self.max_output_tokens, temperature=CHAT_TEMPERATURE
            )
            try:
                first = await anext(stream)
            except StopAsyncIteration:
                return
            except RETRYABLE as exc:
                await _close(stream)
                wait = None if exc.produced_text else self.retry.delay(attempt, exc.retry_after)
                if wait is None:
                    raise
                log.warning(
                    "AI provider failed before the first token; retrying",
                    provider=self.provider.name,
                    code=exc.code,
                    attempt=attempt,
                    wait_s=round(wait, 2),
                    context_id=context_id,
                )
                await asyncio.sleep(wait)
                attempt += 1
                continue
            break
        try:
            yield first
            async for chunk in stream:
                yield chunk
        finally:
            await _close(stream)

    async def aclose(self) -> None:
        """Release the provider's connections or model."""
        await self.provider.aclose()


def build_ai_service(
    settings: Settings, session_factory: SessionFactory | None = None
) -> AIService:
    """The process-wide AI service for these settings (close it with `aclose()`)."""
    return AIService.from_settings(settings, session_factory=session_factory)


async def _close(stream: AsyncIterator[ChatChunk]) -> None:
    aclose = getattr(stream, "aclose", None)
    if aclose is not None:
        await aclose()
