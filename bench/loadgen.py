"""The load generator: persistent worker processes, each with its own (uv)loop and a raw
asyncio HTTP/1.1 + SSE client, so the client side is never the bottleneck.

The harness hands every worker a list of *slots*; a slot is a list of stream jobs run one
after the other (closed loop: concurrency = number of slots) and a job may carry an absolute
start time (open loop: one job per slot, started on a ramp). A job is pre-rendered request
bytes; the worker records per stream: status, time to first token, token count, terminal
event and (optionally) every inter-token gap. Each worker also reports its own CPU time and
event-loop lag, which is how the harness shows that the clients were not saturated.

Times are `time.monotonic()`, which is one clock for all processes on Linux.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import resource
import time
from array import array
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from servers._common import Chunked

TOKEN, SKIP, DONE, ERROR, OTHER = range(5)


@dataclass(frozen=True, slots=True)
class Job:
    """One stream to open: where, the request bytes, and when (0: as soon as the slot is free)."""

    port: int
    request: bytes
    expect_tokens: int
    start_at: float = 0.0


@dataclass(slots=True)
class StreamResult:
    """What one stream did, as seen by the client."""

    ok: bool
    error: str | None
    t_send: float
    t_first: float | None
    t_end: float
    tokens: int
    terminal: str | None
    t_connected: float | None = None
    t_head: float | None = None


@dataclass
class WorkerReport:
    """One worker's results for one phase."""

    results: list[StreamResult]
    gaps: array = field(default_factory=lambda: array("d"))  # type: ignore[type-arg]
    cpu_s: float = 0.0
    wall_s: float = 0.0
    lag_p99_ms: float = 0.0
    lag_max_ms: float = 0.0


def classify(event: bytes) -> int:
    """Kind of one SSE event (without its blank-line terminator).

    Works for the endpoint's framing (`id:`/`event:`/`data:`), the naive `data: token` and the
    upstream's own `data: {chat.completion.chunk}` / `data: [DONE]`.
    """
    if event.startswith(b":"):
        return SKIP
    if event.startswith(b"event:") or b"\nevent:" in event:
        if b"event: done" in event:
            return DONE
        if b"event: error" in event:
            return ERROR
        return OTHER
    at = event.find(b"data: ")
    if at < 0:
        return SKIP
    data = event[at + 6 :]
    if data.startswith(b"{"):
        if b'"delta":{"content":"' in data and b'"content":""' not in data:
            return TOKEN
        return ERROR if data.startswith(b'{"error"') else SKIP
    if data.startswith(b"[DONE]"):
        return DONE
    return TOKEN


async def run_stream(job: Job, gaps: array | None, limit_s: float) -> StreamResult:  # type: ignore[type-arg]
    """Open a connection, send the request, read the SSE response to its end."""
    t_send = time.monotonic()
    t_first: float | None = None
    last = 0.0
    tokens = 0
    terminal: str | None = None
    writer: asyncio.StreamWriter | None = None
    error: str | None = None
    t_connected: float | None = None
    t_head: float | None = None
    try:
        async with asyncio.timeout(limit_s):
            reader, writer = await asyncio.open_connection("127.0.0.1", job.port)
            t_connected = time.monotonic()
            writer.write(job.request)
            head = await reader.readuntil(b"\r\n\r\n")
            t_head = time.monotonic()
            status = head[9:12]
            if status != b"200":
                body = await reader.read(300)
                return StreamResult(
                    False,
                    f"http {status.decode()} {body[:120]!r}",
                    t_send,
                    None,
                    time.monotonic(),
                    0,
                    None,
                )
            decoder = Chunked() if b"transfer-encoding: chunked" in head.lower() else None
            pending = b""
            while terminal is None:
                data = await reader.read(262144)
                now = time.monotonic()
                if not data:
                    break
                if decoder is not None:
                    data = decoder.feed(data)
                pending += data
                if b"\n\n" not in pending:
                    if decoder is not None and decoder.done:
                        break
                    continue
                *events, pending = pending.split(b"\n\n")
                for event in events:
                    kind = classify(event)
                    if kind == TOKEN:
                        tokens += 1
                        if t_first is None:
                            t_first = now
                        elif gaps is not None:
                            gaps.append(now - last)
                        last = now
                    elif kind == DONE:
                        terminal = "done"
                    elif kind == ERROR:
                        terminal = "error"
                        error = f"error event {event[:160]!r}"
                if decoder is not None and decoder.done:
                    break
    except TimeoutError:
        error = f"timeout after {tokens} tokens"
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    finally:
        if writer is not None:
            writer.close()
    if error is None and terminal != "done":
        error = f"no terminal event after {tokens} tokens"
    if error is None and tokens != job.expect_tokens:
        error = f"got {tokens} tokens, expected {job.expect_tokens}"
    return StreamResult(
        error is None,
        error,
        t_send,
        t_first,
        time.monotonic(),
        tokens,
        terminal,
        t_connected,
        t_head,
    )


async def _lag_monitor(samples: list[float], stop: asyncio.Event) -> None:
    interval = 0.01
    while not stop.is_set():
        start = time.monotonic()
        await asyncio.sleep(interval)
        samples.append(time.monotonic() - start - interval)


async def _run_phase(slots: list[list[Job]], record_gaps: bool, limit_s: float) -> WorkerReport:
    gaps: array | None = array("d") if record_gaps else None  # type: ignore[type-arg]
    results: list[StreamResult] = []
    lag: list[float] = []
    stop = asyncio.Event()

    async def slot(jobs: list[Job]) -> None:
        for job in jobs:
            if job.start_at:
                delay = job.start_at - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            results.append(await run_stream(job, gaps, limit_s))

    cpu0, wall0 = time.process_time(), time.monotonic()
    monitor = asyncio.create_task(_lag_monitor(lag, stop))
    await asyncio.gather(*(slot(jobs) for jobs in slots))
    stop.set()
    await monitor
    report = WorkerReport(results, gaps if gaps is not None else array("d"))
    report.cpu_s = time.process_time() - cpu0
    report.wall_s = time.monotonic() - wall0
    if lag:
        lag.sort()
        report.lag_p99_ms = lag[min(len(lag) - 1, int(len(lag) * 0.99))] * 1000
        report.lag_max_ms = lag[-1] * 1000
    return report


def _worker(conn: Connection) -> None:
    try:
        import uvloop

        runner: Any = uvloop.run
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        runner = asyncio.run
    while True:
        try:
            message = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if message is None:
            return
        slots, record_gaps, timeout = message
        try:
            report = runner(_run_phase(slots, record_gaps, timeout))
        except KeyboardInterrupt:
            return
        conn.send(report)


class LoadGenerator:
    """A pool of client processes; `run()` spreads slots over them and merges the reports."""

    def __init__(self, processes: int) -> None:
        ctx = mp.get_context("fork")
        self._pipes: list[Connection] = []
        self._procs: list[mp.process.BaseProcess] = []
        for _ in range(processes):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_worker, args=(child,), daemon=True)
            proc.start()
            child.close()
            self._pipes.append(parent)
            self._procs.append(proc)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._procs if p.pid is not None]

    def run(
        self,
        slots: list[list[Job]],
        *,
        record_gaps: bool = False,
        timeout: float = 120.0,
        on_tick: Any = None,
    ) -> list[WorkerReport]:
        """Run the slots round-robin over the workers; `on_tick()` is called every 0.2 s."""
        shares: list[list[list[Job]]] = [[] for _ in self._pipes]
        for i, jobs in enumerate(slots):
            shares[i % len(shares)].append(jobs)
        busy = []
        for pipe, share in zip(self._pipes, shares, strict=True):
            if share:
                pipe.send((share, record_gaps, timeout))
                busy.append(pipe)
        reports: list[WorkerReport] = []
        deadline = time.monotonic() + timeout + 60
        waiting = list(busy)
        while waiting:
            if time.monotonic() > deadline:
                raise TimeoutError("load generator workers did not finish")
            if on_tick is not None:
                on_tick()
            for pipe in list(waiting):
                if pipe.poll(0.2 / max(1, len(waiting))):
                    reports.append(pipe.recv())
                    waiting.remove(pipe)
        return reports

    def close(self) -> None:
        """Stop every worker (politely, then by force)."""
        for pipe in self._pipes:
            with contextlib.suppress(OSError, BrokenPipeError):
                pipe.send(None)
        for proc in self._procs:
            proc.join(timeout=3)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=3)
            if proc.is_alive():
                proc.kill()
                proc.join()


def raise_open_file_limit(wanted: int) -> int:
    """Raise RLIMIT_NOFILE to `wanted` (or the hard limit); returns the soft limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]
