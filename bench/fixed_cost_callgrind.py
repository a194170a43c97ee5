"""Instructions per 1-token stream and per token of the endpoint, counted by callgrind.

CPU time on this shared machine drifts by +-12 % between runs of identical code;
instruction counts do not. The endpoint runs under `valgrind --tool=callgrind` (about 50x
slower); after a warm-up, `callgrind_control --dump` brackets `--streams` 1-token streams
(the fixed cost of a stream) and then as many 201-token streams (200 more tokens each).

    uv run --frozen python bench/fixed_cost_callgrind.py [--streams 60]
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import run_streaming_bench as rsb
from run_streaming_bench import ENDPOINT, Bench, LoadGenerator, parse_args

WRAPPER = """#!/bin/sh
for a in "$@"; do
  case "$a" in *servers/endpoint.py)
    exec valgrind --tool=callgrind --callgrind-out-file={out}/cg.%p "{python}" "$@";;
  esac
done
exec "{python}" "$@"
"""


def _total(out: Path, pid: int) -> int:
    """Instructions of the newest dump of `pid`."""
    dumps = sorted(glob.glob(f"{out}/cg.{pid}.*"), key=lambda f: int(f.rsplit(".", 1)[1]))
    for line in Path(dumps[-1]).read_text().splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {dumps[-1]}")


def _dump(pid: int) -> None:
    subprocess.run(["callgrind_control", "-d", str(pid)], check=True, capture_output=True)
    time.sleep(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=60)
    own = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    out = Path(tempfile.mkdtemp(prefix="callgrind-"))
    wrapper = out / "python"
    wrapper.write_text(WRAPPER.format(out=out, python=sys.executable))
    wrapper.chmod(0o755)
    sys.executable = str(wrapper)  # Bench starts its servers with sys.executable
    ready = rsb.wait_ready
    rsb.wait_ready = lambda proc, path, seconds=60.0: ready(proc, path, 900.0)
    args = parse_args(["--quick", "--streams", "8", "--cpu-concurrency", "4"])
    args.stream_timeout = 900.0
    bench = Bench(args)
    try:
        bench.loadgen = LoadGenerator(1)
        bench.start_upstream()
        bench.start_server(ENDPOINT, ENDPOINT)
        pid = bench.procs[ENDPOINT].popen.pid
        bench.run_closed(ENDPOINT, 20, 4, 1)
        _dump(pid)
        bench.run_closed(ENDPOINT, own.streams, 4, 1)
        _dump(pid)
        fixed = _total(out, pid)
        bench.run_closed(ENDPOINT, own.streams, 4, 201)
        _dump(pid)
        longer = _total(out, pid)
    finally:
        bench.stop()
        shutil.rmtree(out, ignore_errors=True)
    per_stream = fixed / own.streams
    per_token = (longer - fixed) / own.streams / 200
    print(f"fixed: {per_stream / 1e6:.2f} M instructions per 1-token stream")
    print(f"marginal: {per_token / 1e3:.1f} K instructions per token")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
