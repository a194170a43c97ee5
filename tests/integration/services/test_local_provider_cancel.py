"""The `local` provider's worker thread: cancellation, time-outs, a responsive loop."""

from __future__ import annotations

import asyncio
import time

import pytest

from my_flow_api.services.ai.base import ChatChunk
from my_flow_api.services.ai.errors import AITimeoutError, AIUnavailableError
from my_flow_api.services.ai.local.model import LocalModel
from my_flow_api.services.ai.local.provider import LocalProvider
from tests.integration.services.local_support import (
    FLOWS,
    assert_usable,
    extract,
    open_provider,
    stream,
    wait_idle,
)

pytestmark = [pytest.mark.slow, pytest.mark.integration]


async def test_closing_the_stream_stops_the_worker_promptly(
    provider: LocalProvider, local_model: LocalModel
) -> None:
    answer = stream(provider, max_tokens=1000, temperature=0.8)
    received = 0
    async for _ in answer:
        received += 1
        if received == 3:
            break
    assert local_model.busy
    await answer.aclose()
    assert await wait_idle(local_model, 1.0) < 1.0
    await assert_usable(provider)


async def test_cancelling_the_consumer_stops_the_worker_promptly(
    provider: LocalProvider, local_model: LocalModel
) -> None:
    started = asyncio.Event()
    received = 0

    async def consume() -> None:
        nonlocal received
        async for _ in stream(provider, max_tokens=1000, temperature=0.8):
            received += 1
            if received == 3:
                started.set()

    task = asyncio.create_task(consume())
    await started.wait()
    assert local_model.busy
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await wait_idle(local_model, 1.0) < 1.0
    await assert_usable(provider)


async def test_cancelling_extraction_stops_the_worker_promptly(
    provider: LocalProvider, local_model: LocalModel
) -> None:
    long_list = {"type": "array", "items": {"type": "string"}, "minItems": 40}
    task = asyncio.create_task(extract(provider, long_list, max_tokens=1000, temperature=0.8))
    await asyncio.sleep(1.0)
    assert local_model.busy
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await wait_idle(local_model, 1.0) < 1.0


async def test_aclose_ends_a_running_stream_with_an_error(provider: LocalProvider) -> None:
    answer = stream(provider, max_tokens=1000, temperature=0.8)
    assert (await anext(answer)).text
    await provider.aclose()
    with pytest.raises(AIUnavailableError) as caught:
        async for _ in answer:
            pass
    assert caught.value.produced_text is True


async def test_a_slow_answer_times_out_and_stops_the_worker(local_model: LocalModel) -> None:
    async with open_provider(local_model, AI_TIMEOUT_SECONDS=0.001) as impatient:
        with pytest.raises(AITimeoutError) as caught:
            async for _ in stream(impatient, max_tokens=200):
                pass
        assert caught.value.produced_text is False
        with pytest.raises(AITimeoutError):
            await extract(impatient, FLOWS, max_tokens=200)
        assert await wait_idle(local_model, 1.0) < 1.0


async def test_event_loop_stays_responsive_while_generating(provider: LocalProvider) -> None:
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    chunks = [c async for c in stream(provider, max_tokens=60)]
    done.set()
    await ticking

    assert len(chunks) > 10
    assert len(gaps) > 20
    assert max(gaps) < 0.25, f"the loop stalled for {max(gaps):.3f}s"


async def test_streams_are_served_one_after_another(provider: LocalProvider) -> None:
    async def run() -> list[ChatChunk]:
        return [c async for c in stream(provider, max_tokens=12)]

    first, second = await asyncio.gather(run(), run())
    assert "".join(c.text for c in first) == "".join(c.text for c in second)  # greedy
    assert first[-1].usage == second[-1].usage
