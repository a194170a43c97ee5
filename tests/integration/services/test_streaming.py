"""Streaming chat through each real SDK against a fake provider server on 127.0.0.1."""

from __future__ import annotations

import asyncio

import pytest

from my_flow_api.models.conversation import Message, MessageRole, Usage
from my_flow_api.services.ai.base import ChatChunk
from my_flow_api.services.ai.errors import (
    AIBadOutputError,
    AIConfigurationError,
    AIRateLimitedError,
    AIServiceError,
    AITimeoutError,
    AIUnavailableError,
)
from my_flow_api.services.ai.factory import build_provider
from my_flow_api.services.ai.service import AIService, RetryPolicy
from tests.integration.services.support import (
    TIMEOUT,
    Upstream,
    collect,
    consume,
    settings_for,
    texts,
)

pytestmark = pytest.mark.integration

HELLO = [Message(role=MessageRole.USER, content="Plan my week, please.")]
TRICKY = [
    "Hello",
    " world",
    "\n",
    "line one\nline two",
    "\r\n",
    "  two leading spaces",
    "",
    "ünïcödé ß 東京",
    "🎉👍🏽👩‍💻",
    "data: not an event\n\n",
    "trailing\n\n",
]


async def test_tokens_arrive_in_order_and_unaltered(upstream: Upstream) -> None:
    upstream.fake.script(tokens=TRICKY)
    chunks = await collect(upstream.service.stream_chat(HELLO, "ctx-1"))
    assert texts(chunks) == [t for t in TRICKY if t]
    assert "".join(c.text for c in chunks) == "".join(TRICKY)
    assert all(c.usage is None for c in chunks[:-1])
    assert chunks[-1].text == ""
    assert chunks[-1].finish_reason == "stop"


async def test_usage_is_reported(upstream: Upstream) -> None:
    upstream.fake.script(tokens=["a", "b"], usage=(123, 45))
    chunks = await collect(upstream.service.stream_chat(HELLO, "ctx-1"))
    assert chunks[-1].usage == Usage(input_tokens=123, output_tokens=45)


async def test_rejected_credentials_fail_before_the_stream_without_retry(
    upstream: Upstream,
) -> None:
    upstream.fake.script(fail_status=401)
    with pytest.raises(AIConfigurationError) as info:
        await collect(upstream.service.stream_chat(HELLO, "ctx-1"))
    assert info.value.produced_text is False
    assert info.value.status_code == 502
    assert len(upstream.fake.requests) == 1
    assert "Scripted failure" not in info.value.message


async def test_rate_limit_with_a_long_retry_after_is_reported_not_retried(
    upstream: Upstream,
) -> None:
    upstream.fake.script(fail_status=429, retry_after=30)
    with pytest.raises(AIRateLimitedError) as info:
        await collect(upstream.service.stream_chat(HELLO, "ctx-1"))
    assert info.value.retry_after == 30
    assert info.value.produced_text is False
    assert info.value.status_code == 503
    assert len(upstream.fake.requests) == 1


async def test_rate_limit_with_a_short_retry_after_is_retried(upstream: Upstream) -> None:
    upstream.fake.script(tokens=["after", " retry"])
    upstream.fake.script_once(fail_status=429, retry_after=0)
    chunks = await collect(upstream.service.stream_chat(HELLO, "ctx-1"))
    assert texts(chunks) == ["after", " retry"]
    assert len(upstream.fake.requests) == 2


async def test_server_errors_are_retried_a_bounded_number_of_times(upstream: Upstream) -> None:
    upstream.fake.script(fail_status=500)
    with pytest.raises(AIUnavailableError) as info:
        await collect(upstream.service.stream_chat(HELLO, "ctx-1"))
    assert info.value.produced_text is False
    assert len(upstream.fake.requests) == upstream.service.retry.attempts


async def test_a_transient_server_error_is_retried(upstream: Upstream) -> None:
    upstream.fake.script(tokens=["ok"])
    upstream.fake.script_once(fail_status=503)
    chunks = await collect(upstream.service.stream_chat(HELLO, "ctx-1"))
    assert texts(chunks) == ["ok"]
    assert len(upstream.fake.requests) == 2


async def test_dropped_connection_mid_stream_is_unavailable_with_text_produced(
    upstream: Upstream,
) -> None:
    upstream.fake.script(tokens=["one", " two", " three", " four"], drop_after=2)
    received: list[ChatChunk] = []
    with pytest.raises(AIUnavailableError) as info:
        await consume(upstream.service.stream_chat(HELLO, "ctx-1"), received)
    assert texts(received) == ["one", " two"]
    assert info.value.produced_text is True
    assert len(upstream.fake.requests) == 1, "no retry once a token was produced"


async def test_dropped_connection_before_the_first_token_is_retried(upstream: Upstream) -> None:
    upstream.fake.script(tokens=["fine"])
    upstream.fake.script_once(tokens=["lost"], drop_after=0)
    chunks = await collect(upstream.service.stream_chat(HELLO, "ctx-1"))
    assert texts(chunks) == ["fine"]
    assert len(upstream.fake.requests) == 2


async def test_error_event_mid_stream_is_reported_with_text_produced(upstream: Upstream) -> None:
    upstream.fake.script(tokens=["partial", " answer", " more"], error_after=2)
    received: list[ChatChunk] = []
    with pytest.raises(AIServiceError) as info:
        await consume(upstream.service.stream_chat(HELLO, "ctx-1"), received)
    assert isinstance(info.value, AIUnavailableError)
    assert info.value.produced_text is True
    assert texts(received) == ["partial", " answer"]
    assert len(upstream.fake.requests) == 1


async def test_an_unreadable_event_mid_stream_is_bad_output_with_text_produced(
    upstream: Upstream,
) -> None:
    upstream.fake.script(tokens=["fine", " so far", " lost"], garbage_after=2)
    received: list[ChatChunk] = []
    with pytest.raises(AIBadOutputError) as info:
        await consume(upstream.service.stream_chat(HELLO, "ctx-1"), received)
    assert texts(received) == ["fine", " so far"]
    assert info.value.produced_text is True
    assert info.value.status_code == 502


async def test_an_answer_cut_short_without_its_end_is_an_error(upstream: Upstream) -> None:
    if upstream.name == "openai":
        upstream.fake.script(tokens=["cut"], finish_reason=None, send_usage=False, done=False)
    else:
        upstream.fake.script(tokens=["cut"], message_stop=False)
    with pytest.raises(AIUnavailableError) as info:
        await collect(upstream.service.stream_chat(HELLO, "ctx-1"))
    assert info.value.produced_text is True


async def test_closing_the_consumer_closes_the_upstream_connection(upstream: Upstream) -> None:
    upstream.fake.script(tokens=[f"t{i} " for i in range(200)], delay=0.05)
    stream = upstream.service.stream_chat(HELLO, "ctx-1")
    async with asyncio.timeout(TIMEOUT):
        first = await anext(stream)
        second = await anext(stream)
    assert (first.text, second.text) == ("t0 ", "t1 ")
    await stream.aclose()
    assert await upstream.fake.wait_closed(5), "the fake server never saw the client leave"
    assert upstream.fake.disconnects == 1


async def test_cancelling_the_consuming_task_closes_the_upstream_connection(
    upstream: Upstream,
) -> None:
    upstream.fake.script(tokens=[f"t{i} " for i in range(200)], delay=0.05)
    got_one = asyncio.Event()

    async def consume() -> None:
        async for _chunk in upstream.service.stream_chat(HELLO, "ctx-1"):
            got_one.set()

    task = asyncio.create_task(consume())
    async with asyncio.timeout(TIMEOUT):
        await got_one.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await upstream.fake.wait_closed(5)


async def test_a_slow_provider_times_out_before_the_first_token(upstream: Upstream) -> None:
    upstream.fake.script(first_byte_delay=8.0)
    settings = settings_for(upstream.fake, AI_TIMEOUT_SECONDS=1.0)
    service = AIService(build_provider(settings), retry=RetryPolicy(attempts=1))
    try:
        with pytest.raises(AITimeoutError) as info:
            await collect(service.stream_chat(HELLO, "ctx-1"))
    finally:
        await service.aclose()
    assert info.value.produced_text is False
    assert info.value.status_code == 504


async def test_a_stall_after_the_first_token_times_out_with_text_produced(
    upstream: Upstream,
) -> None:
    upstream.fake.script(tokens=["quick", " then slow"], delay=8.0)
    settings = settings_for(upstream.fake, AI_TIMEOUT_SECONDS=1.5)
    service = AIService(build_provider(settings), retry=RetryPolicy(attempts=3))
    received: list[ChatChunk] = []
    try:
        with pytest.raises(AITimeoutError) as info:
            await consume(service.stream_chat(HELLO, "ctx-1"), received)
    finally:
        await service.aclose()
    assert texts(received) == ["quick"]
    assert info.value.produced_text is True
    assert len(upstream.fake.requests) == 1


async def test_concurrent_streams_stay_separate(upstream: Upstream) -> None:
    upstream.fake.script(tokens=[f"{i}," for i in range(30)], delay=0.001)

    async def one() -> str:
        chunks = await collect(upstream.service.stream_chat(HELLO, "ctx-1"))
        return "".join(texts(chunks))

    async with asyncio.timeout(TIMEOUT):
        answers = await asyncio.gather(*(one() for _ in range(12)))
    assert set(answers) == {"".join(f"{i}," for i in range(30))}
