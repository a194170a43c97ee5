"""Replicas benchmark: the streaming endpoint with its streams in memory and on Redis.

One run starts the lean upstream (`bench/upstream.py`), a private `redis-server` on a free
port (so its CPU and command counts are this run's alone), a fresh PostgreSQL database
on the local server, and the real endpoint (`bench/servers/endpoint.py`) in three set-ups,
one after the other, under the same open-loop load (`--streams` streams of `--tokens`
tokens at `--rate` tokens/s, opened over `--ramp` s):

- `memory`: one worker, streams in memory;
- `redis-1`: one worker with `REDIS_URL`;
- `redis-2`: two workers with `REDIS_URL` (two processes, one port each), the streams
  split between them half and half.

Reported per set-up: errors, p99 time to first token and inter-token gap, and what they
add to the upstream's own (the same load sent to the upstream directly), server CPU per
1,000 relayed tokens (all workers), Redis's CPU and its commands per relayed token, and
the CPU used by processes not started here. `--capacity` then searches, for one and for
two Redis workers, the largest number of streams (steps of `--step`) that still meets
the targets (0 errors, added p99 gap < 50 ms, added p99 TTFT < 100 ms).

    uv run --frozen python bench/run_replicas_bench.py             # about 3 minutes
    uv run --frozen python bench/run_replicas_bench.py --capacity  # longer
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from loadgen import LoadGenerator, raise_open_file_limit
from replicas_harness import ReplicaBench, meets
from run_streaming_bench import RESULTS, UPSTREAM, source_snapshot

SETUPS = [("memory", 1, False), ("redis-1", 1, True), ("redis-2", 2, True)]
KINDS = {name: (workers, redis) for name, workers, redis in SETUPS}


def parse_setup(spec: str) -> tuple[str, int, bool, dict[str, str]]:
    """`LABEL` (one of SETUPS) or `LABEL:KIND:KEY=VALUE,...` (a SETUPS kind with extra
    worker settings, e.g. `open:memory:STREAM_MAX_STARTING=100000`)."""
    label, _, rest = spec.partition(":")
    kind, _, pairs = rest.partition(":")
    workers, redis = KINDS[kind or label]
    env = dict(pair.split("=", 1) for pair in pairs.split(",") if pair)
    return label, workers, redis, env


def run(bench: ReplicaBench) -> dict[str, Any]:
    args = bench.args
    out: dict[str, Any] = {"source": source_snapshot(), "args": vars(args) | {"out": None}}
    bench.loadgen = LoadGenerator(args.clients)
    bench.start_shared()
    bench.log(f"direct: {args.streams} streams to the upstream")
    out["direct"] = direct = bench.load([UPSTREAM], args.streams)
    for setup, workers, redis, env in map(parse_setup, args.setups):
        names = bench.start_workers(setup, workers, redis, env)
        bench.load(names, 20)  # warm-up
        bench.wait_quiet(args.max_other_cpu, args.quiet_wait)
        bench.log(f"{setup}: {args.streams} streams over {len(names)} worker(s)")
        out[setup] = row = bench.load(names, args.streams)
        bench.log(f"  {json.dumps(row)}")
        if args.capacity and redis:
            found = out.setdefault("capacity", {})
            for streams in args.capacity_steps:
                bench.wait_quiet(args.max_other_cpu, args.quiet_wait)
                step = bench.load(names, streams)
                bench.log(f"  capacity {streams}: {json.dumps(step)}")
                found.setdefault(setup, []).append(step)
                if not meets(step, direct):
                    break
        for name in names:
            bench.stop_server(name)
    return out


def render(out: dict[str, Any]) -> str:
    direct = out["direct"]
    lines = [
        "| set-up | errors (503 busy) | p99 TTFT ms (added) | p99 gap ms (added)"
        " | server CPU s / 1k tokens | vs memory | Redis CPU % | Redis commands / token"
        " | other CPU % |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    labels = [parse_setup(spec)[0] for spec in out["args"]["setups"]]
    memory_cpu = out["memory" if "memory" in out else labels[0]]["server_cpu_s_per_1k_tokens"]
    for setup in ["direct", *labels]:
        r = out[setup]
        ratio = r["server_cpu_s_per_1k_tokens"] / memory_cpu if setup != "direct" else None
        ttft, gap = r["ttft_p99_ms"], r["gap_p99_ms"]
        lines.append(
            f"| {setup} | {r['errors']} ({r.get('busy', 0)})"
            f" | {ttft} ({ttft - direct['ttft_p99_ms']:+.1f})"
            f" | {gap} ({gap - direct['gap_p99_ms']:+.1f})"
            f" | {r['server_cpu_s_per_1k_tokens']:.3f} | {'' if ratio is None else f'{ratio:.2f}x'}"
            f" | {r['redis_cpu_pct']:.1f} | {r['redis_commands_per_token'] or 0:.3f}"
            f" | {r['other_processes_cpu_pct']:.0f} |"
        )
    for setup, steps in out.get("capacity", {}).items():
        passed = [s["streams"] for s in steps if meets(s, direct)]
        tried = ", ".join(
            f"{s['streams']}: {s['errors']} err, +{s['gap_p99_ms'] - direct['gap_p99_ms']:.0f}"
            f"/+{s['ttft_p99_ms'] - direct['ttft_p99_ms']:.0f} ms"
            for s in steps
        )
        lines.append(f"\n{setup}: largest passing {max(passed, default=0)} streams ({tried})")
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, default=500)
    parser.add_argument("--tokens", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--ramp", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=2, help="load-generator processes")
    parser.add_argument("--capacity", action="store_true", help="search the largest load")
    parser.add_argument("--capacity-steps", type=int, nargs="*", default=[750, 1000, 1250, 1500])
    parser.add_argument("--max-other-cpu", type=float, default=50.0)
    parser.add_argument("--quiet-wait", type=float, default=10.0)
    parser.add_argument("--keep-tmp", action="store_true")
    parser.add_argument(
        "--setups",
        nargs="+",
        default=[name for name, _, _ in SETUPS],
        help="LABEL (memory, redis-1, redis-2) or LABEL:KIND:KEY=VALUE,... (worker settings)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "replicas.md")
    args = parser.parse_args(argv)
    args.load_timeout = 2 * args.tokens / args.rate + 30
    if not args.capacity:
        args.capacity_steps = []
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    raise_open_file_limit(4 * max([args.streams, *args.capacity_steps]) + 1024)
    if shutil.which("redis-server") is None:
        print("redis-server is not installed", file=sys.stderr)
        return 2
    bench = ReplicaBench(args)
    try:
        out = run(bench)
    finally:
        bench.stop()
    table = render(out)
    print(table)
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(table)
    args.out.with_suffix(".json").write_text(json.dumps(out, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
