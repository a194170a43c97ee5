"""Shared pieces of the `local` provider tests: prompts, a flows schema, helpers.

The model itself is cached per process by `load_model`, so every test module's fixture
gets the same instance: it is loaded once per test session.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from my_flow_api.config import load_settings
from my_flow_api.models.conversation import MessageRole
from my_flow_api.services.ai.base import ChatChunk, ChatMessage
from my_flow_api.services.ai.local.loader import load_model, locate_model_file
from my_flow_api.services.ai.local.model import LocalModel
from my_flow_api.services.ai.local.provider import LocalProvider

SYSTEM = "You are a helpful assistant for planning and task capture."
ASK = (ChatMessage(MessageRole.USER, "List five things to do when planning a busy week."),)


class Flow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=80)
    description: str = Field(max_length=300)
    priority: Literal["low", "medium", "high"]


class Flows(BaseModel):
    model_config = ConfigDict(extra="forbid")

    flows: list[Flow] = Field(max_length=5)


FLOWS = Flows.model_json_schema()


def shared_model() -> LocalModel:
    """The process-wide model (loaded on the first call only)."""
    return load_model(locate_model_file())


@asynccontextmanager
async def open_provider(model: LocalModel, **settings: Any) -> AsyncIterator[LocalProvider]:
    """A provider on the shared model; on exit its generations are stopped."""
    values = {"AI_PROVIDER": "local", "AI_TIMEOUT_SECONDS": 60.0, **settings}
    provider = LocalProvider(load_settings(**values, _env_file=None))
    try:
        yield provider
    finally:
        await provider.aclose()
        await wait_idle(model, 5.0)


async def wait_idle(model: LocalModel, limit: float) -> float:
    """Seconds until the worker thread is idle; fails after `limit`."""
    started = time.perf_counter()
    while model.busy:
        assert time.perf_counter() - started < limit, "the worker thread is still generating"
        await asyncio.sleep(0.005)
    return time.perf_counter() - started


def stream(
    provider: LocalProvider,
    max_tokens: int,
    temperature: float = 0.0,
    messages: Sequence[ChatMessage] = ASK,
) -> AsyncGenerator[ChatChunk, None]:
    """Ask the planning question (greedy by default)."""
    return provider.stream_chat(
        messages, system=SYSTEM, max_tokens=max_tokens, temperature=temperature
    )


async def extract(
    provider: LocalProvider, schema: dict[str, Any], max_tokens: int, temperature: float = 0.3
) -> str:
    """Ask for JSON matching `schema`."""
    return await provider.complete_json(
        ASK,
        system="Extract the tasks from the conversation as JSON.",
        schema=schema,
        schema_name="flows",
        max_tokens=max_tokens,
        temperature=temperature,
    )


async def assert_usable(provider: LocalProvider) -> None:
    """The model answers again straight away."""
    chunks = [c async for c in stream(provider, max_tokens=5)]
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.output_tokens
