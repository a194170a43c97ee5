"""What mirroring a stream's log to Redis costs per relayed token, in-process.

`--streams` memory logs get tokens at `--rate` tokens/s each (paced, as a relayed model
sends: one timer tick every `--tick-ms` appends the tokens due), for `--seconds`, twice
per repeat, interleaved: once with no mirror (the in-memory mode's log work) and once
with the logs tracked by the Redis mirror (`streams/shared/writer.py`, its flush loop
running). Reported: process CPU per 1,000 tokens in each mode, the mirror's extra CPU per
token, Redis commands per token and tokens per pipeline (counted by wrapping redis-py's
`Pipeline.execute`). A private `redis-server` on a free port takes the writes, so its CPU
is not the process's and its counts are this run's alone.

    uv run --frozen python bench/redis_mirror_cost.py   # 500 streams x 20/s, 5 s, 3 repeats
    uv run --frozen python bench/redis_mirror_cost.py --coalesce 0   # flush every loop turn
    git show f483ebc:src/my_flow_api/services/streams/shared/writer.py > /tmp/writer_before.py
    uv run --frozen python bench/redis_mirror_cost.py --before /tmp/writer_before.py
      # + the writer of that commit (one XADD per event, per loop turn), same run
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from my_flow_api.services.streams.events import DONE
from my_flow_api.services.streams.log import MemoryStreamLog
from my_flow_api.services.streams.registry import ActiveStream
from my_flow_api.services.streams.shared import writer as writer_module
from my_flow_api.services.streams.shared.keys import Keys
from my_flow_api.services.streams.shared.writer import LogWriter

COUNTS = {"pipelines": 0, "commands": 0}
_execute = Pipeline.execute


async def _counted(self: Pipeline, raise_on_error: bool = True) -> Any:
    COUNTS["pipelines"] += 1
    COUNTS["commands"] += len(self.command_stack)
    return await _execute(self, raise_on_error)


Pipeline.execute = _counted  # type: ignore[method-assign]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_writer(path: Path) -> type[LogWriter]:
    """The LogWriter class of another version of `writer.py` (a `git show` of it)."""
    spec = importlib.util.spec_from_file_location("writer_before", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    writer: type[LogWriter] = module.LogWriter
    return writer


async def one_phase(
    args: argparse.Namespace, redis: Redis | None, round_: int, cls: type[LogWriter] = LogWriter
) -> dict[str, float]:
    loop = asyncio.get_running_loop()
    keys = Keys(f"bench{round_}:")
    writer = cls(redis, keys, 3600, 60) if redis is not None else None
    streams = []
    for i in range(args.streams):
        stream = ActiveStream(f"s{round_}-{i}", f"u{i}", "c", MemoryStreamLog())
        stream.conversation_id = f"conv{i}"
        streams.append(stream)
        if writer is not None:
            assert isinstance(stream.log, MemoryStreamLog)
            writer.track(stream, stream.log)
            writer.recorded(stream)
    flusher = asyncio.create_task(writer.run()) if writer is not None else None
    await asyncio.sleep(0.2)  # the records go out first, outside the measured window
    per_tick = args.streams * args.rate * args.tick_ms / 1000
    due = 0.0
    tokens = 0
    position = 0
    before = dict(COUNTS)
    cpu0, wall0 = time.process_time(), time.monotonic()
    end = wall0 + args.seconds
    done = asyncio.Event()

    def tick() -> None:
        nonlocal due, tokens, position
        due += per_tick
        while due >= 1:
            due -= 1
            stream = streams[position]
            position = (position + 1) % len(streams)
            stream.log.append_encoded(
                f"id: {stream.log.last_id + 1}\nevent: token\ndata: tok{tokens}\n\n".encode(),
                False,
            )
            tokens += 1
        if time.monotonic() < end:
            loop.call_later(args.tick_ms / 1000, tick)
        else:
            done.set()

    loop.call_soon(tick)
    await done.wait()
    await asyncio.sleep(0.05)  # the last flush
    cpu = time.process_time() - cpu0
    commands = COUNTS["commands"] - before["commands"]
    pipelines = COUNTS["pipelines"] - before["pipelines"]
    for stream in streams:
        await stream.log.append(DONE, "{}")
        if writer is not None:
            writer.finished(stream)
    await asyncio.sleep(0.2)
    if flusher is not None:
        flusher.cancel()
        await asyncio.gather(flusher, return_exceptions=True)
    return {
        "tokens": tokens,
        "cpu_ms_per_1k": cpu / tokens * 1e6,
        "commands_per_token": commands / tokens,
        "tokens_per_pipeline": tokens / pipelines if pipelines else 0.0,
    }


async def main(args: argparse.Namespace) -> None:
    if args.coalesce is not None:
        writer_module.COALESCE_SECONDS = args.coalesce / 1000
    port = free_port()
    tmp = Path(tempfile.mkdtemp(prefix="mirror-"))
    where = ["--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp)]
    server = subprocess.Popen(  # noqa: ASYNC220 (once, before anything is measured)
        ["redis-server", *where, "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL
    )
    try:
        redis = Redis(host="127.0.0.1", port=port)
        for _ in range(50):
            try:
                await redis.ping()
                break
            except OSError:
                await asyncio.sleep(0.1)
        modes = {"memory": LogWriter, "redis": LogWriter}
        if args.before is not None:
            modes["before"] = load_writer(args.before)
        rows: dict[str, list[dict[str, float]]] = {mode: [] for mode in modes}
        for round_ in range(args.repeats):
            for mode, cls in modes.items():
                row = await one_phase(args, None if mode == "memory" else redis, round_, cls)
                rows[mode].append(row)
                print(f"round {round_} {mode}: {row}", flush=True)
            await redis.flushall()
        print(
            f"\n{args.streams} streams x {args.rate:g} tokens/s, {args.seconds:g} s,"
            f" median of {args.repeats}"
        )
        print(
            "| mode | CPU ms / 1k tokens | extra us / token over memory"
            " | commands sent / token | tokens / pipeline |"
        )
        print("|---|---:|---:|---:|---:|")
        memory = statistics.median(r["cpu_ms_per_1k"] for r in rows["memory"])
        names = {"memory": "memory log only", "redis": "mirrored (this code)"}
        for mode, mode_rows in rows.items():
            value = statistics.median(r["cpu_ms_per_1k"] for r in mode_rows)
            cmds = statistics.median(r["commands_per_token"] for r in mode_rows)
            per_pipe = statistics.median(r["tokens_per_pipeline"] for r in mode_rows)
            name = names.get(mode, f"mirrored ({args.before})")
            print(f"| {name} | {value:.1f} | {value - memory:.1f} | {cmds:.3f} | {per_pipe:.1f} |")
        await redis.aclose()
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, default=500)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--tick-ms", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--coalesce", type=float, help="the writer's COALESCE_SECONDS, in ms")
    parser.add_argument("--before", type=Path, help="another writer.py to measure alongside")
    asyncio.run(main(parser.parse_args()))
