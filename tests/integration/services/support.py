"""Helpers for the provider tests: settings pointing at a fake, bounded collection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from my_flow_api.config import Settings, load_settings
from my_flow_api.services.ai.base import ChatChunk
from my_flow_api.services.ai.service import AIService, RetryPolicy
from tests.fakes.anthropic_server import FakeAnthropic
from tests.fakes.openai_server import FakeOpenAI

FAST_RETRY = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02, max_retry_after=1.0)
"""Real retries with tiny waits, so tests stay fast."""

TIMEOUT = 10.0
"""No test waits on the network longer than this."""

Fake = FakeOpenAI | FakeAnthropic


def settings_for(fake: Fake, **extra: Any) -> Settings:
    """Settings for the provider the fake imitates, ignoring any `.env` file."""
    values: dict[str, Any] = {**fake.settings_overrides(), "AI_TIMEOUT_SECONDS": 5.0}
    return load_settings(**{**values, **extra}, _env_file=None)


@dataclass
class Upstream:
    """A fake provider server and an `AIService` talking to it."""

    name: str
    fake: Fake
    service: AIService


async def collect(stream: AsyncIterator[ChatChunk], limit: float = TIMEOUT) -> list[ChatChunk]:
    """Every chunk of a stream, failing the test rather than hanging."""
    async with asyncio.timeout(limit):
        return [chunk async for chunk in stream]


async def consume(
    stream: AsyncIterator[ChatChunk], into: list[ChatChunk], limit: float = TIMEOUT
) -> None:
    """Read a stream into `into` (so a test can inspect what came before an error)."""
    async with asyncio.timeout(limit):
        async for chunk in stream:
            into.append(chunk)


def texts(chunks: list[ChatChunk]) -> list[str]:
    """The text pieces, without the final usage chunk."""
    return [c.text for c in chunks if c.text]
