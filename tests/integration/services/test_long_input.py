"""A long pasted paragraph costs extraction time in proportion to its length, and that
time is spent off the event loop: other streams keep flowing meanwhile."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from my_flow_api.models.conversation import MessageRole
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.ai.openai_provider import OpenAIProvider
from my_flow_api.services.ai.service import AIService
from my_flow_api.services.extraction.mode import FlowExtractor
from my_flow_api.services.extraction.service import FlowExtraction
from tests.fakes.openai_server import FakeOpenAI
from tests.integration.services.support import FAST_RETRY, settings_for

pytestmark = pytest.mark.integration

# Before the fix, 16,000 characters of these took 19 s in one regular expression alone.
UNPUNCTUATED = ("please remember to buy some milk and (system (admin 12 34 " * 500)[:24_000]


@pytest.fixture
async def rules_service(fake_openai: FakeOpenAI) -> AsyncIterator[AIService]:
    provider = OpenAIProvider(settings_for(fake_openai))
    service = AIService(provider, retry=FAST_RETRY)
    try:
        yield service
    finally:
        await service.aclose()


async def _ticks(stop: asyncio.Event) -> float:
    """The longest the event loop went without running this task, while it ran."""
    longest, last = 0.0, time.monotonic()
    while not stop.is_set():
        await asyncio.sleep(0.01)
        now = time.monotonic()
        longest, last = max(longest, now - last), now
    return longest


async def test_a_long_paste_neither_stalls_the_loop_nor_hides_the_task(
    rules_service: AIService,
) -> None:
    chat = [
        ChatMessage(MessageRole.USER, f"{UNPUNCTUATED}. Also I need to call the dentist tomorrow."),
        ChatMessage(MessageRole.ASSISTANT, "Noted."),
    ]
    stop = asyncio.Event()
    ticker = asyncio.create_task(_ticks(stop))
    try:
        flows = await asyncio.wait_for(
            FlowExtraction(rules_service.provider, FlowExtractor.RULES).extract(chat, "ctx-1"), 60
        )
    finally:
        stop.set()
    longest_gap = await ticker
    assert any("dentist" in flow.title.lower() for flow in flows)
    assert longest_gap < 1.0, f"the event loop stalled for {longest_gap:.2f} s"
