"""CPU and latency of the store work one chat stream does, on the default SQLite store.

Per stream the endpoint records the conversation with its messages (checking, in the same
transaction, that the context is the user's and reading its name for the prompt) and, at
the end, records the outcome. This runs exactly those repository calls
in-process (the app's own `create_store`, SQLite in a temporary `DATA_DIR`), first one
stream at a time, then `--concurrency` at once, and reports process CPU (all threads,
aiosqlite's included) and wall time per stream, and how many calls failed (a busy SQLite
that outwaits its timeout surfaces as `StoreUnavailableError`, the endpoint's 503).

    uv run --frozen python bench/store_cost.py [--streams 300] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from my_flow_api.config import load_settings
from my_flow_api.models.context import ContextCreate
from my_flow_api.models.conversation import (
    ConversationOutcome,
    ConversationStatus,
    Message,
    MessageRole,
    Usage,
)
from my_flow_api.repositories.factory import create_store

PROMPT = "I need to book a flight and call the client. tokens=200 rate=20"


async def one_stream(store: Any, user: str, context_id: str) -> float:
    t0 = time.perf_counter()
    messages = [Message(role=MessageRole.USER, content=PROMPT)]
    conversation = await store.conversations.start(
        user, context_id, messages, provider="openai", model="gpt-bench"
    )
    assert conversation is not None
    outcome = ConversationOutcome(
        status=ConversationStatus.COMPLETE,
        answer="the quick brown fox " * 40,
        usage=Usage(input_tokens=42, output_tokens=200),
        error_code=None,
        first_token_ms=3,
        duration_ms=10_000,
    )
    await store.conversations.finish(conversation.id, user, outcome)
    return time.perf_counter() - t0


async def measure(
    store: Any, users: list[str], contexts: list[str], streams: int, width: int
) -> dict[str, Any]:
    """`streams` streams' store work, `width` at a time."""
    walls: list[float] = []
    failures = 0
    sem = asyncio.Semaphore(width)

    async def guarded(i: int) -> None:
        nonlocal failures
        async with sem:
            try:
                walls.append(await one_stream(store, users[i % width], contexts[i % width]))
            except Exception:
                failures += 1

    cpu0, wall0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(guarded(i) for i in range(streams)))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    walls.sort()
    return {
        "cpu_ms_per_stream": cpu / streams * 1000,
        "wall_ms_per_stream_p50": statistics.median(walls) * 1000 if walls else None,
        "wall_ms_per_stream_p99": walls[int(len(walls) * 0.99) - 1] * 1000 if walls else None,
        "streams_per_s": streams / wall,
        "failures": failures,
    }


async def run(streams: int, concurrency: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="store-cost-") as tmp:
        settings = load_settings(DATA_DIR=Path(tmp))
        store = await create_store(settings)
        try:
            users = [f"u{i}" for i in range(max(concurrency, 1))]
            contexts = [
                (await store.contexts.create(u, ContextCreate(name="Bench"))).id for u in users
            ]
            await one_stream(store, users[0], contexts[0])  # warm-up
            out: dict[str, Any] = {}
            for label, width in (("sequential", 1), (f"{concurrency} concurrent", concurrency)):
                out[label] = await measure(store, users, contexts, streams, width)
            return out
        finally:
            await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    try:
        import uvloop

        result = uvloop.run(run(args.streams, args.concurrency))
    except ImportError:
        result = asyncio.run(run(args.streams, args.concurrency))
    print(
        "| store work per stream (SQLite) | CPU ms | wall p50 ms | wall p99 ms | streams/s "
        "| failures |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for label, r in result.items():
        print(
            f"| {label} | {r['cpu_ms_per_stream']:.2f} | {r['wall_ms_per_stream_p50']:.1f} "
            f"| {r['wall_ms_per_stream_p99']:.1f} | {r['streams_per_s']:.0f} | {r['failures']} |"
        )


if __name__ == "__main__":
    main()
