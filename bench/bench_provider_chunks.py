"""Per-chunk cost of each AI provider layer, against the fake servers on loopback.

For each provider the same streamed answer (N token chunks) is read through:

- `raw httpx`: `httpx.AsyncClient.stream` bytes, a minimal SSE line parser, `json.loads`
  and the token text picked out of the dict (the baseline);
- `raw httpx2`: the same on `httpx2`, the transport both SDKs run on;
- `raw aiohttp`: `aiohttp.ClientSession.post`, `content.iter_any()` read by the project's
  `services/ai/sse.py`, `json.loads` and the token text (what the providers run on);
- the SDK's typed streaming path (`openai`: `chat.completions.create(stream=True)`;
  `anthropic`: `messages.create(stream=True)` raw events, and the `messages.stream` helper);
- our provider (`OpenAIProvider` / `AnthropicProvider.stream_chat`: `ProviderHTTP` on one
  aiohttp session sends the request, `services/ai/sse.py` reads the body);
- `AIService.stream_chat` (the provider plus the retry-before-first-token wrapper),
  which is what the streaming endpoint consumes.

Modes `bulk` (one write: pure decode cost) and `paced` (one event per read, 1 ms apart:
CPU is the figure that matters); timing runs from the first token to the last, the fake
server runs in its own process. Method and results: `bench/README.md`.

    uv run python -m bench.bench_provider_chunks [--chunks 10000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import platform
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import anthropic
import httpx
import httpx2
import openai

from my_flow_api.config import load_settings
from my_flow_api.models.conversation import Message, MessageRole
from my_flow_api.services.ai.anthropic_provider import AnthropicProvider
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.ai.openai_provider import OpenAIProvider
from my_flow_api.services.ai.service import AIService
from my_flow_api.services.ai.sse import parse_json, sse_data

Reader = Callable[[], AsyncIterator[str]]
PACE = 0.001  # seconds between token events in `paced` mode: one event per read
ASK = [ChatMessage(MessageRole.USER, "bench")]


def _serve(kind: str, chunks: int, mode: str, port_q: Any) -> None:
    from tests.fakes.anthropic_server import FakeAnthropic
    from tests.fakes.openai_server import FakeOpenAI

    tokens = [f" tok{i % 97}" for i in range(chunks)]
    fake = FakeOpenAI() if kind == "openai" else FakeAnthropic()
    if mode == "bulk":
        fake.script(tokens=tokens, batch=True)
    else:
        fake.script(tokens=tokens, delay=PACE)
    fake.start()
    port_q.put(fake.port)
    time.sleep(10_000)


async def _raw_lines(stream: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    buf = b""
    async for data in stream:
        buf += data
        *lines, buf = buf.split(b"\n")
        for line in lines:
            yield line


async def raw_openai(client: Any, url: str) -> AsyncIterator[str]:
    body = {"model": "m", "messages": [], "stream": True, "stream_options": {"include_usage": True}}
    async with client.stream("POST", f"{url}/v1/chat/completions", json=body) as response:
        async for line in _raw_lines(response.aiter_bytes()):
            if line.startswith(b"data: ") and line != b"data: [DONE]":
                choices = json.loads(line[6:])["choices"]
                if choices:
                    text = choices[0]["delta"].get("content")
                    if text:
                        yield text


async def raw_anthropic(client: Any, url: str) -> AsyncIterator[str]:
    body = {"model": "m", "max_tokens": 10, "messages": [], "stream": True}
    async with client.stream("POST", f"{url}/v1/messages", json=body) as response:
        async for line in _raw_lines(response.aiter_bytes()):
            if line.startswith(b"data: "):
                event = json.loads(line[6:])
                if event["type"] == "content_block_delta":
                    text = event["delta"].get("text")
                    if text:
                        yield text


async def aiohttp_openai(session: aiohttp.ClientSession, url: str) -> AsyncIterator[str]:
    body = {"model": "m", "messages": [], "stream": True, "stream_options": {"include_usage": True}}
    async with session.post(f"{url}/v1/chat/completions", json=body) as response:
        async for data in sse_data(response.content.iter_any()):
            if data != b"[DONE]":
                choices = parse_json(data.decode())["choices"]
                if choices:
                    text = choices[0]["delta"].get("content")
                    if text:
                        yield text


async def aiohttp_anthropic(session: aiohttp.ClientSession, url: str) -> AsyncIterator[str]:
    body = {"model": "m", "max_tokens": 10, "messages": [], "stream": True}
    async with session.post(f"{url}/v1/messages", json=body) as response:
        async for data in sse_data(response.content.iter_any()):
            event = parse_json(data.decode())
            if event["type"] == "content_block_delta":
                text = event["delta"].get("text")
                if text:
                    yield text


async def sdk_openai(client: openai.AsyncOpenAI) -> AsyncIterator[str]:
    stream = await client.chat.completions.create(
        model="m",
        messages=[{"role": "user", "content": "bench"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            yield chunk.choices[0].delta.content


async def sdk_anthropic_raw(client: anthropic.AsyncAnthropic) -> AsyncIterator[str]:
    stream = await client.messages.create(
        model="m", max_tokens=10, messages=[{"role": "user", "content": "b"}], stream=True
    )
    async for event in stream:
        if event.type == "content_block_delta" and event.delta.type == "text_delta":
            yield event.delta.text


async def sdk_anthropic_helper(client: anthropic.AsyncAnthropic) -> AsyncIterator[str]:
    manager = client.messages.stream(
        model="m", max_tokens=10, messages=[{"role": "user", "content": "b"}]
    )
    async with manager as stream:
        async for text in stream.text_stream:
            yield text


async def _texts(source: AsyncIterator[Any]) -> AsyncIterator[str]:
    async for chunk in source:
        if chunk.text:
            yield chunk.text


async def measure(read: Reader) -> tuple[int, float, float]:
    """(chunks, wall seconds, CPU seconds) from the first chunk to the last."""
    n = 0
    wall0 = cpu0 = 0.0
    async for _text in read():
        if n == 0:
            wall0, cpu0 = time.perf_counter(), time.process_time()
        n += 1
    return n, time.perf_counter() - wall0, time.process_time() - cpu0


def _layers(kind: str, url: str) -> tuple[list[tuple[str, Reader]], Callable[[], Awaitable[None]]]:
    hx, hx2 = httpx.AsyncClient(timeout=30), httpx2.AsyncClient(timeout=30)
    aio = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
    sdk: Any
    sdk_layers: list[tuple[str, Reader]]
    if kind == "openai":
        settings = load_settings(
            AI_PROVIDER="openai", OPENAI_API_KEY="k", OPENAI_BASE_URL=f"{url}/v1", _env_file=None
        )
        sdk = openai.AsyncOpenAI(api_key="k", base_url=f"{url}/v1", max_retries=0)
        provider: Any = OpenAIProvider(settings)
        raw, aio_raw = raw_openai, aiohttp_openai
        sdk_layers = [("SDK chat.completions stream", lambda: sdk_openai(sdk))]
    else:
        settings = load_settings(
            AI_PROVIDER="anthropic", ANTHROPIC_API_KEY="k", ANTHROPIC_BASE_URL=url, _env_file=None
        )
        sdk = anthropic.AsyncAnthropic(api_key="k", base_url=url, max_retries=0)
        provider = AnthropicProvider(settings)
        raw, aio_raw = raw_anthropic, aiohttp_anthropic
        sdk_layers = [
            ("SDK messages.create(stream=True)", lambda: sdk_anthropic_raw(sdk)),
            ("SDK messages.stream helper", lambda: sdk_anthropic_helper(sdk)),
        ]
    service = AIService(provider)
    msgs = [Message(role=MessageRole.USER, content="bench")]
    layers: list[tuple[str, Reader]] = [
        ("raw httpx + minimal SSE parser", lambda: raw(hx, url)),
        ("raw httpx2 + minimal SSE parser", lambda: raw(hx2, url)),
        ("raw aiohttp + sse.py", lambda: aio_raw(aio, url)),
        *sdk_layers,
        (
            f"{type(provider).__name__}.stream_chat",
            lambda: _texts(provider.stream_chat(ASK, system="s", max_tokens=10, temperature=0)),
        ),
        ("AIService.stream_chat", lambda: _texts(service.stream_chat(msgs, "ctx"))),
    ]

    async def close() -> None:
        await hx.aclose()
        await hx2.aclose()
        await aio.close()
        await sdk.close()
        await service.aclose()

    return layers, close


async def run(kind: str, url: str, chunks: int, repeats: int) -> list[tuple[str, float, float]]:
    layers, close = _layers(kind, url)
    results = []
    try:
        for _name, read in layers:  # warm up: imports, connections, caches
            await measure(read)
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in layers}
        for _ in range(repeats):
            for name, read in layers:  # interleaved, so drift hits every layer alike
                n, wall, cpu = await measure(read)
                assert n == chunks, (name, n)
                # seconds per chunk -> milliseconds per 1,000 chunks
                samples[name].append((wall / (n - 1) * 1e6, cpu / (n - 1) * 1e6))
        for name, _ in layers:
            wall = statistics.median(s[0] for s in samples[name])
            cpu = statistics.median(s[1] for s in samples[name])
            results.append((name, wall, cpu))
    finally:
        await close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=10_000, help="per stream, bulk mode")
    parser.add_argument("--paced-chunks", type=int, default=2_000, help="per stream, paced mode")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--modes", default="bulk,paced", help="bulk and/or paced")
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    print(
        f"python {platform.python_version()}, openai {openai.__version__}, "
        f"anthropic {anthropic.__version__}, httpx {httpx.__version__}, "
        f"httpx2 {httpx2.__version__}, aiohttp {aiohttp.__version__}; {args.repeats} repeats"
    )
    for mode in args.modes.split(","):
        chunks = args.chunks if mode == "bulk" else args.paced_chunks
        for kind in ("openai", "anthropic"):
            queue = ctx.Queue()
            server = ctx.Process(target=_serve, args=(kind, chunks, mode, queue), daemon=True)
            server.start()
            try:
                url = f"http://127.0.0.1:{queue.get(timeout=60)}"
                rows = asyncio.run(run(kind, url, chunks, args.repeats))
            finally:
                server.kill()
                server.join(10)
            base_wall, base_cpu = rows[0][1], rows[0][2]
            print(f"\n### {kind}, {mode} ({chunks} chunks per stream)\n")
            print("| layer | wall ms / 1k chunks | CPU ms / 1k chunks | wall x raw | CPU x raw |")
            print("|---|---:|---:|---:|---:|")
            for name, wall, cpu in rows:
                print(
                    f"| {name} | {wall:.1f} | {cpu:.1f} | "
                    f"{wall / base_wall:.2f} | {cpu / base_cpu:.2f} |"
                )


if __name__ == "__main__":
    main()
