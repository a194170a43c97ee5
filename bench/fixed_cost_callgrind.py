"""Instructions per 1-token stream and per token of the endpoint, counted by callgrind.

CPU time on this shared machine drifts by +-12 % between runs of identical code;
instruction counts do not. The endpoint runs under `valgrind --tool=callgrind` (about 50x
slower); after a warm-up, `callgrind_control --dump` brackets `--streams` 1-token streams
(the fixed cost of a stream) and then as many 201-token streams (200 more tokens each).

`--paced-tokens N` adds streams of N+1 tokens with the upstream paced at `--rate` tokens/s
(one token per upstream read and one ASGI send per token, as real models send): their
instructions minus the 1-token streams', per token, is the *paced* cost of a relayed token,
the per-event path that unpaced 201-token streams (a few large reads) do not exercise.
`--server relay-aiohttp` counts the aiohttp relay floor instead of the endpoint.

    uv run --frozen python bench/fixed_cost_callgrind.py [--streams 60]
    uv run --frozen python bench/fixed_cost_callgrind.py --fixed-only --paced-tokens 40
"""

from __future__ import annotations

import argparse
import glob
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import run_streaming_bench as rsb
from run_streaming_bench import ENDPOINT, RELAY_AIOHTTP, Bench, LoadGenerator, parse_args

SCRIPTS = {ENDPOINT: "endpoint.py", RELAY_AIOHTTP: "relay_floor.py"}

WRAPPER = """#!/bin/sh
for a in "$@"; do
  case "$a" in *servers/{script})
    exec valgrind --tool=callgrind --callgrind-out-file={out}/cg.%p "{python}" "$@";;
  esac
done
exec "{python}" "$@"
"""


def _newest(out: Path, pid: int) -> Path:
    dumps = sorted(glob.glob(f"{out}/cg.{pid}.*"), key=lambda f: int(f.rsplit(".", 1)[1]))
    return Path(dumps[-1])


def _total(out: Path, pid: int) -> int:
    """Instructions of the newest dump of `pid`."""
    dump = _newest(out, pid)
    for line in dump.read_text().splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {dump}")


def _by_object(dump: Path) -> dict[str, int]:
    """Self instructions per shared object (the interpreter, libsqlite3, uvloop, ...) of one
    dump: cost lines count for the current `ob=`, except the inclusive cost after `calls=`."""
    names: dict[str, str] = {}
    totals: dict[str, int] = {}
    current = "?"
    skip_next = False

    def name_of(value: str) -> str:
        value = value.strip()
        if value.startswith("("):
            ref, _, rest = value.partition(")")
            if rest.strip():
                names[ref] = os.path.basename(rest.strip())
            return names.get(ref, "?")
        return os.path.basename(value)

    for line in dump.read_text().splitlines():
        if not line:
            continue
        head = line[0]
        if head.isdigit() or head in "+-*":
            if skip_next:
                skip_next = False
                continue
            parts = line.split()
            if len(parts) >= 2:
                totals[current] = totals.get(current, 0) + int(parts[1])
        elif line.startswith("ob="):
            current = name_of(line[3:])
        elif line.startswith("cob="):
            name_of(line[4:])
        elif line.startswith("calls="):
            skip_next = True
    return totals


def _dump(pid: int) -> None:
    subprocess.run(["callgrind_control", "-d", str(pid)], check=True, capture_output=True)
    time.sleep(1)


class _Counts:
    """The endpoint's running totals of store work (`servers/endpoint.py --count FILE`)."""

    def __init__(self, pid: int, path: Path) -> None:
        self.pid, self.path, self.seen = pid, path, 0

    def read(self) -> dict[str, int]:
        os.kill(self.pid, signal.SIGUSR1)  # the endpoint appends a line
        for _ in range(1200):
            time.sleep(0.5)
            lines = self.path.read_text().splitlines() if self.path.exists() else []
            if len(lines) > self.seen:
                self.seen = len(lines)
                counted: dict[str, int] = json.loads(lines[-1])
                return counted
        raise RuntimeError("the endpoint wrote no counts")


def _per_stream(name: str, before: dict[str, int], after: dict[str, int], streams: int) -> None:
    keys = sorted(set(before) | set(after))
    text = ", ".join(f"{k} {(after.get(k, 0) - before.get(k, 0)) / streams:.2f}" for k in keys)
    print(f"  per stream, {name}: {text}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=60)
    parser.add_argument(
        "--fixed-only", action="store_true", help="skip the 201-token streams (marginal cost)"
    )
    parser.add_argument(
        "--by-object",
        type=int,
        default=0,
        metavar="N",
        help="also print the N shared objects (libraries) with the most self instructions in "
        "the 1-token streams",
    )
    parser.add_argument(
        "--ablate",
        action="append",
        default=[],
        help="switch a piece off in the endpoint (servers/endpoint.py --ablate; repeatable)",
    )
    parser.add_argument(
        "--paced-tokens",
        type=int,
        default=0,
        metavar="N",
        help="also count --paced-streams streams of N+1 tokens paced at --rate (per-token cost)",
    )
    parser.add_argument("--rate", type=float, default=10.0, help="tokens/s, paced streams")
    parser.add_argument("--paced-streams", type=int, default=20, help="paced streams counted")
    parser.add_argument(
        "--paced-concurrency",
        type=int,
        default=1,
        help="paced streams at a time: the endpoint runs ~50x slower under callgrind, and one "
        "that falls behind reads several tokens per read, which hides the per-event cost",
    )
    parser.add_argument(
        "--server", choices=sorted(SCRIPTS), default=ENDPOINT, help="the server counted"
    )
    parser.add_argument(
        "--ready-seconds",
        type=float,
        default=900.0,
        help="how long the endpoint may take to start under valgrind (a busy machine: more)",
    )
    parser.add_argument(
        "--count",
        action="store_true",
        help="also print checkpoint batches, transactions, statements and driver-thread trips "
        "per stream of each phase (the endpoint only)",
    )
    own = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    out = Path(tempfile.mkdtemp(prefix="callgrind-"))
    wrapper = out / "python"
    wrapper.write_text(WRAPPER.format(out=out, python=sys.executable, script=SCRIPTS[own.server]))
    wrapper.chmod(0o755)
    sys.executable = str(wrapper)  # Bench starts its servers with sys.executable
    ready = rsb.wait_ready
    rsb.wait_ready = lambda proc, path, seconds=60.0: ready(proc, path, own.ready_seconds)
    args = parse_args(["--quick", "--streams", "8", "--cpu-concurrency", "4"])
    args.stream_timeout = 900.0
    bench = Bench(args)
    try:
        bench.loadgen = LoadGenerator(1)
        bench.start_upstream()
        ablate = [arg for name in own.ablate for arg in ("--ablate", name)]
        counts_file = out / "counts.jsonl"
        if own.count:
            ablate += ["--count", str(counts_file)]
        counted: list[tuple[str, dict[str, int], int]] = []
        counts: _Counts | None = None
        name = own.server
        bench.start_server(name, name, ablate if name == ENDPOINT else None)
        pid = bench.procs[name].popen.pid
        if own.count:
            counts = _Counts(pid, counts_file)
        bench.run_closed(name, 20, 4, 1)
        _dump(pid)
        if counts is not None:
            counted.append(("warm-up", counts.read(), 20))
        bench.run_closed(name, own.streams, 4, 1)
        _dump(pid)
        if counts is not None:
            counted.append(("1-token", counts.read(), own.streams))
        fixed = _total(out, pid)
        objects = _by_object(_newest(out, pid)) if own.by_object else {}
        longer = None
        if not own.fixed_only:
            bench.run_closed(name, own.streams, 4, 201)
            _dump(pid)
            longer = _total(out, pid)
            if counts is not None:
                counted.append(("201-token", counts.read(), own.streams))
        paced = paced_objects = None
        if own.paced_tokens:
            run = bench.run_closed(
                name, own.paced_streams, own.paced_concurrency, own.paced_tokens + 1, own.rate
            )
            if run["errors"]:
                raise RuntimeError(f"paced streams failed: {run['error_kinds']}")
            _dump(pid)
            if counts is not None:
                counted.append(("paced", counts.read(), own.paced_streams))
            paced = _total(out, pid)
            paced_objects = _by_object(_newest(out, pid)) if own.by_object else None
    finally:
        bench.stop()
        shutil.rmtree(out, ignore_errors=True)
    per_stream = fixed / own.streams
    print(f"fixed: {per_stream / 1e6:.2f} M instructions per 1-token stream")
    if longer is not None:
        per_token = (longer - fixed) / own.streams / 200
        print(f"marginal: {per_token / 1e3:.1f} K instructions per token")
    for (_, before, _n), (phase, after, streams) in itertools.pairwise(counted):
        _per_stream(phase, before, after, streams)
    ranked = sorted(objects.items(), key=lambda item: -item[1])[: own.by_object]
    for obj, count in ranked:
        print(f"  {count / own.streams / 1e6:6.3f} M  {count / fixed:6.1%}  {obj}")
    if paced is not None:
        # the paced streams' instructions minus as many 1-token streams', per extra token
        share = own.paced_streams / own.streams
        tokens = own.paced_streams * own.paced_tokens
        print(
            f"paced: {(paced - fixed * share) / tokens / 1e3:.1f} K instructions per token"
            f" ({own.paced_streams} streams of {own.paced_tokens + 1} tokens at {own.rate:g}/s,"
            f" {own.paced_concurrency} at a time, minus as many 1-token streams)"
        )
        if paced_objects is not None:
            extra = {o: paced_objects.get(o, 0) - objects.get(o, 0) * share for o in paced_objects}
            for obj, count in sorted(extra.items(), key=lambda i: -i[1])[: own.by_object]:
                print(f"  {count / tokens / 1e3:7.1f} K  {obj}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
