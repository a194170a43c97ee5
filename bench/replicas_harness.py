"""The replicas benchmark's harness: `run_streaming_bench.Bench`'s processes, load generator
and machine-load accounting, plus a private redis-server, a fresh PostgreSQL database, and
endpoint workers in memory or on Redis (see `run_replicas_bench.py`)."""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
import uuid
from typing import Any

from loadgen import Job
from run_streaming_bench import (
    BENCH,
    UPSTREAM,
    Bench,
    Proc,
    Target,
    endpoint_users,
    free_port,
    machine_busy_s,
    pct,
    proc_cpu_s,
    wait_ready,
)

PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/"
GAP_TARGET_MS, TTFT_TARGET_MS = 50.0, 100.0


class ReplicaBench(Bench):
    """Bench's processes, load generator and machine-load accounting, for replicas."""

    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args)
        self.database = f"my_flow_bench_{uuid.uuid4().hex[:10]}"
        self.redis_port = free_port()
        self.redis: subprocess.Popen[bytes] | None = None
        self.shared_dir = self.tmp / "data"

    def start_shared(self) -> None:
        """Redis, the database (migrated) and the upstream."""
        where = ["--port", str(self.redis_port), "--bind", "127.0.0.1", "--dir", str(self.tmp)]
        self.redis = subprocess.Popen(
            ["redis-server", *where, "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        asyncio.run(_create_database(self.database))
        subprocess.run(
            [sys.executable, "-m", "my_flow_api.cli", "db", "upgrade"],
            env={**self._env(), "DATABASE_URL": PG + self.database},
            check=True,
            capture_output=True,
        )
        self.start_upstream()

    def start_workers(
        self, setup: str, count: int, redis: bool, extra: dict[str, str] | None = None
    ) -> list[str]:
        upstream = f"http://127.0.0.1:{self.targets[UPSTREAM].port}/v1"
        env = {k: v for k, v in self._env().items() if not k.startswith(("STREAM_", "REDIS_"))}
        env.update(
            AI_PROVIDER="openai",
            OPENAI_API_KEY="sk-bench",
            OPENAI_BASE_URL=upstream,
            OPENAI_MODEL="gpt-bench",
            DATA_DIR=str(self.shared_dir),
            DATABASE_URL=PG + self.database,
            LOG_FORMAT="json",
            STREAM_MAX_PER_USER="3",
        )
        env.update(extra or {})
        if redis:
            env.update(REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0", REDIS_KEY_PREFIX=setup)
        names = []
        for i in range(count):
            name, port = f"{setup}-{i}", free_port()
            argv = [sys.executable, str(BENCH / "servers" / "endpoint.py"), "--port", str(port)]
            self.procs[name] = proc = Proc(name, argv, env, self.tmp, port)
            wait_ready(proc, "/api/v1/health")
            names.append(name)
        users = max(self.args.streams, max(self.args.capacity_steps, default=0))
        tokens, contexts = endpoint_users(self.procs[names[0]].port, self.shared_dir, users)
        for name in names:
            self.targets[name] = Target(name, self.procs[name].port, tokens, contexts)
        return names

    def redis_state(self) -> tuple[float, int]:
        """Redis's CPU seconds and commands processed so far."""
        assert self.redis is not None
        info = subprocess.run(
            ["redis-cli", "-p", str(self.redis_port), "info", "stats"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        commands = next(
            int(line.split(":")[1])
            for line in info.splitlines()
            if "total_commands_processed" in line
        )
        return proc_cpu_s(self.redis.pid), commands

    def load(self, names: list[str], streams: int) -> dict[str, Any]:
        """`streams` paced streams spread round robin over `names`; all their figures."""
        assert self.loadgen is not None
        args = self.args
        for name in names:
            if name != UPSTREAM:
                self.wait_idle(name)
        start, step = time.monotonic() + 0.5, args.ramp / streams
        slots = []
        for i in range(streams):
            target = self.targets[names[i % len(names)]]
            request = target.request(i, args.tokens, args.rate)
            slots.append([Job(target.port, request, args.tokens, start + i * step)])
        servers = [self.procs[n] for n in names if n != UPSTREAM]
        busy0, own0, wall0 = machine_busy_s(), self._own_cpu_s(), time.monotonic()
        cpu0 = sum(p.cpu_s() for p in servers)
        redis0 = self.redis_state()
        reports = self.loadgen.run(slots, record_gaps=True, timeout=args.load_timeout)
        wall = time.monotonic() - wall0
        cpu = sum(p.cpu_s() for p in servers) - cpu0
        redis1 = self.redis_state()
        results = [r for rep in reports for r in rep.results]
        gaps = [g for rep in reports for g in rep.gaps]
        ttft = [r.t_first - r.t_send for r in results if r.t_first is not None]
        relayed = sum(r.tokens for r in results)
        self.check_alive()
        return {
            "streams": len(results),
            "errors": sum(not r.ok for r in results),
            "busy": sum(bool(r.error and r.error.startswith("http 503")) for r in results),
            "tokens": relayed,
            "ttft_p50_ms": _ms(pct(ttft, 50)),
            "ttft_p99_ms": _ms(pct(ttft, 99)),
            "gap_p99_ms": _ms(pct(gaps, 99)),
            "server_cpu_s_per_1k_tokens": cpu / relayed * 1000 if relayed else None,
            "server_cpu_pct": cpu / wall * 100,
            "redis_cpu_pct": (redis1[0] - redis0[0]) / wall * 100,
            "redis_commands_per_token": (redis1[1] - redis0[1]) / relayed if relayed else None,
            "other_processes_cpu_pct": self._other_load(busy0, own0, wall),
        }

    def stop(self) -> None:
        super().stop()
        if self.redis is not None:
            self.redis.kill()
            self.redis.wait()
        asyncio.run(_drop_database(self.database))


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


async def _create_database(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(host="127.0.0.1", user="postgres", database="test")
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()


async def _drop_database(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(host="127.0.0.1", user="postgres", database="test")
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


def meets(row: dict[str, Any], direct: dict[str, Any]) -> bool:
    """0 errors, and the added p99 delays within the targets."""
    gap = row["gap_p99_ms"] - direct["gap_p99_ms"]
    ttft = row["ttft_p99_ms"] - direct["ttft_p99_ms"]
    return row["errors"] == 0 and gap < GAP_TARGET_MS and ttft < TTFT_TARGET_MS
