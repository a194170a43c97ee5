"""Instructions of one checkpoint tick on the default SQLite store, per stream and where
they go (issue 24).

`--streams` conversations are started as the endpoint starts them; then each of `--ticks`
ticks saves every stream's answer so far (`--answer-chars` long, a mid-answer size) the
way a process does: `per-stream` is a transaction per stream (`checkpoint`, what each
turn's timer did before session 11, all streams' saves started at once as their timers
would), `batch` one `checkpoint_many` for all (the group commit). The first tick inserts
the assistant messages, later ones rewrite them, as in a stream.

    uv run --locked python bench/checkpoint_tick_cost.py --callgrind [--mode batch]

`--callgrind` runs this script twice under valgrind, with `--ticks` and with none, and
prints the difference per tick, by shared object (the interpreter, libsqlite3, ...), so
start-up and set-up cancel out. `--profile` prints cProfile's top functions instead
(where the interpreter's share goes: SQLAlchemy, aiosqlite's thread hops, ...).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import uvloop

from fixed_cost_callgrind import _by_object
from my_flow_api.config import load_settings
from my_flow_api.models.context import ContextCreate
from my_flow_api.models.conversation import CheckpointWrite, Message, MessageRole
from my_flow_api.repositories.factory import create_store

USER = "bench-user"


async def _tick(repo: Any, mode: str, writes: list[CheckpointWrite]) -> list[str | None]:
    if mode == "batch":
        return list(await repo.checkpoint_many(writes))
    saves = (repo.checkpoint(w.conversation_id, w.user_id, w.answer, w.message_id) for w in writes)
    return list(await asyncio.gather(*saves))


async def run(args: argparse.Namespace, data: Path) -> None:
    settings = load_settings(DATA_DIR=data, DATABASE_URL=None, MONGODB_URI=None, _env_file=None)
    store = await create_store(settings)
    try:
        ctx = await store.contexts.create(USER, ContextCreate(name="Work"))
        asked = [Message(role=MessageRole.USER, content="question")]
        ids = []
        for _ in range(args.streams):
            started = await store.conversations.start(USER, ctx.id, asked)
            assert started is not None
            ids.append(started.id)
        answer = "x" * args.answer_chars
        messages: list[str | None] = [None] * args.streams
        profile = cProfile.Profile() if args.profile else None
        # one tick outside the count: the first save inserts, a stream's later ones rewrite
        writes = [CheckpointWrite(i, USER, answer, None) for i in ids]
        messages = await _tick(store.conversations, args.mode, writes)
        if profile is not None:
            profile.enable()
        for _ in range(args.ticks):
            pairs = zip(ids, messages, strict=True)
            writes = [CheckpointWrite(i, USER, answer, m) for i, m in pairs]
            messages = await _tick(store.conversations, args.mode, writes)
        if profile is not None:
            profile.disable()
            pstats.Stats(profile).sort_stats("tottime").print_stats(args.profile)
        assert all(messages)
    finally:
        await store.close()


def _callgrind(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        totals = []
        for ticks in (args.ticks, 0):
            out = Path(tmp) / f"cg.{ticks}"
            argv = [sys.executable, __file__, "--mode", args.mode, "--ticks", str(ticks)]
            argv += ["--streams", str(args.streams), "--answer-chars", str(args.answer_chars)]
            tool = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
            subprocess.run(tool + argv, check=True, capture_output=True)
            totals.append(_by_object(out))
    ran, idle = totals
    per_tick = {k: (ran.get(k, 0) - idle.get(k, 0)) / args.ticks for k in ran}
    total = sum(per_tick.values())
    print(
        f"{args.mode}: {total / 1e3:.1f} K instructions per tick of {args.streams} streams "
        f"({total / args.streams / 1e3:.1f} K per stream), answer {args.answer_chars} chars, "
        f"{args.ticks} ticks"
    )
    for name, count in sorted(per_tick.items(), key=lambda kv: -kv[1])[:10]:
        print(f"  {count / 1e3:9.1f} K  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=["per-stream", "batch"], default="per-stream")
    parser.add_argument("--streams", type=int, default=1)
    parser.add_argument("--ticks", type=int, default=50)
    parser.add_argument("--answer-chars", type=int, default=2000)
    parser.add_argument("--callgrind", action="store_true", help="count instructions per tick")
    parser.add_argument("--profile", type=int, default=0, help="cProfile's top N functions")
    args = parser.parse_args()
    if args.callgrind:
        _callgrind(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        uvloop.run(run(args, Path(tmp) / "data"))


if __name__ == "__main__":
    main()
