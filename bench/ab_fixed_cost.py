"""Fixed CPU per stream of this endpoint against a baseline build, in one run.

`run_streaming_bench.py`'s *fixed* figure (server CPU of 1-token streams, `--streams` of
them `--concurrency` at a time, from /proc utime+stime) for three servers started side by
side on the same fake upstream: RELAY-FLOOR (aiohttp), this endpoint, and the endpoint of
another checkout (`--baseline-python`: the interpreter of that checkout's virtualenv, e.g.
a `git worktree` of main after `uv sync`). The phases are interleaved, in a rotating
order, `--repeats` times; medians are reported, and the ratios are taken within this run.

    uv run --frozen python bench/ab_fixed_cost.py --baseline-python ../main/.venv/bin/python

`--postgres URL` (a server where the user may create databases, e.g.
`postgresql://postgres@127.0.0.1:5432/postgres`) stores both endpoints' data in a fresh,
migrated PostgreSQL database each (dropped at the end) instead of SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
from typing import Any

from run_streaming_bench import (
    ENDPOINT,
    RELAY_AIOHTTP,
    Bench,
    LoadGenerator,
    parse_args,
)

BASELINE = "endpoint-baseline"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-python", required=True)
    parser.add_argument("--streams", type=int, default=120)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--postgres", metavar="URL", help="admin URL of a PostgreSQL server")
    own = parser.parse_args()
    args = parse_args(
        ["--quick", "--streams", str(own.concurrency), "--cpu-concurrency", str(own.concurrency)]
    )
    bench = Bench(args)
    names = [RELAY_AIOHTTP, BASELINE, ENDPOINT]
    runs: dict[str, list[float]] = {name: [] for name in names}
    other: list[float] = []
    this_python = sys.executable
    databases: dict[str, str] = {}
    try:
        if own.postgres:
            for name in (ENDPOINT, BASELINE):
                databases[name] = asyncio.run(_fresh_database(own.postgres, name))
        env = {name: {"DATABASE_URL": url} for name, url in databases.items()}
        bench.loadgen = LoadGenerator(2)
        bench.start_upstream()
        bench.start_server(RELAY_AIOHTTP, RELAY_AIOHTTP)
        bench.start_server(ENDPOINT, ENDPOINT, extra_env=env.get(ENDPOINT))
        sys.executable = own.baseline_python  # Bench starts its servers with sys.executable
        try:
            bench.start_server(BASELINE, ENDPOINT, extra_env=env.get(BASELINE))
        finally:
            sys.executable = this_python
        for name in names:
            bench.run_closed(name, 40, own.concurrency, 1)
        for repeat in range(own.repeats):
            order = names[repeat % 3 :] + names[: repeat % 3]
            for name in order:
                bench.wait_quiet(args.max_other_cpu, 5.0)
                run = bench.run_closed(name, own.streams, own.concurrency, 1)
                runs[name].append(run["cpu_ms_per_stream"])
                other.append(run["other_processes_cpu_pct"])
                print(
                    f"#{repeat + 1} {name}: {run['cpu_ms_per_stream']:.2f} ms/stream"
                    f" (errors {run['errors']},"
                    f" other processes {run['other_processes_cpu_pct']:.0f} %)",
                    file=sys.stderr,
                )
    finally:
        bench.stop()
        for url in databases.values():
            asyncio.run(_drop_database(own.postgres, url))
    med = {name: statistics.median(values) for name, values in runs.items()}
    store = "PostgreSQL" if own.postgres else "SQLite"
    print(
        f"{store}: fixed CPU per 1-token stream, median of {own.repeats} ({own.streams} streams,"
        f" {own.concurrency} at a time); other processes {min(other):.0f}-{max(other):.0f} %"
        " of a core"
    )
    print("| server | ms / stream (median) | all runs | x RELAY-FLOOR aiohttp | x baseline |")
    print("|---|---:|---|---:|---:|")
    for name in names:
        every = ", ".join(f"{v:.2f}" for v in runs[name])
        print(
            f"| {name} | {med[name]:.2f} | {every} | {med[name] / med[RELAY_AIOHTTP]:.2f}"
            f" | {med[name] / med[BASELINE]:.2f} |"
        )
    pairs = [n / b for n, b in zip(runs[ENDPOINT], runs[BASELINE], strict=True)]
    print(f"per-repeat ratio endpoint / baseline: {', '.join(f'{p:.2f}' for p in pairs)}")
    return 0


async def _admin(url: str) -> Any:
    import asyncpg

    return await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))


async def _fresh_database(admin_url: str, name: str) -> str:
    """A new database for `name`, migrated; its SQLAlchemy URL."""
    from my_flow_api.repositories.factory import upgrade_database

    database = f"ab_fixed_{os.getpid()}_{name.replace('-', '_')}"
    conn = await _admin(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
        await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()
    base = admin_url.replace("postgresql://", "postgresql+asyncpg://").rsplit("/", 1)[0]
    url = f"{base}/{database}"
    await upgrade_database(url)
    return url


async def _drop_database(admin_url: str, url: str) -> None:
    conn = await _admin(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await conn.close()


if __name__ == "__main__":
    sys.exit(main())
