"""THIS ENDPOINT: the real app, run as `my-flow serve` runs it (one uvicorn worker).

Settings come from the environment (the harness sets `AI_PROVIDER=openai`,
`OPENAI_BASE_URL`, a temporary `DATA_DIR` with SQLite, local auth). `--profile FILE` runs
the server under cProfile and writes the stats when it stops (SIGINT/SIGTERM).

`--ablate` switches one piece off *in this process only* (monkeypatching at start-up, never
touching `src/`), for `bench/endpoint_splits.py` to attribute the endpoint's CPU by
difference; the benchmark proper never uses it:

- `extraction`: flow extraction returns no flows without calling the upstream;
- `jwt-signature`: the ES384 signature check of the bearer token is skipped (claims are
  still decoded and checked); since verified tokens are cached, only a token's first
  request pays it;
- `access-log`: uvicorn's access log is off;
- `open-flows`: flow capture reads no open flows (the context has none, no store call);
- `store-finish`: a turn's end is not written (no transaction);
- `end-log`: no "Chat stream ended" line;
- `checkpoints`: no checkpoint timer per turn.

`--count FILE` counts, in this process, the checkpoint batches (`checkpoint_many` calls and
the turns they wrote), store transactions, SQL statements and trips to aiosqlite's thread;
each SIGUSR1 appends the running totals to FILE as one JSON line
(`fixed_cost_callgrind.py --count` reads them per phase).

These exist to attribute instructions (`fixed_cost_callgrind.py --ablate`); a variant that
skips a store write leaves conversations `streaming` and is no working service.

    python bench/servers/endpoint.py --port 9005 [--profile endpoint.prof] [--ablate extraction]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import signal
from collections import Counter
from typing import Any

import uvicorn

ABLATIONS = (
    "extraction",
    "jwt-signature",
    "access-log",
    "open-flows",
    "store-finish",
    "end-log",
    "checkpoints",
)


def _ablate(names: set[str]) -> None:
    if "extraction" in names:
        from my_flow_api.services.extraction.service import FlowExtraction

        async def no_flows(self: Any, *args: Any, **kwargs: Any) -> list[Any]:
            return []

        FlowExtraction.extract = no_flows  # type: ignore[method-assign]
    if "jwt-signature" in names:
        from jwt.api_jws import PyJWS

        def unchecked(self: Any, *args: Any, **kwargs: Any) -> None:
            return None

        PyJWS._verify_signature = unchecked  # type: ignore[method-assign]
    if "open-flows" in names:
        from my_flow_api.services.chat import flow_capture

        async def no_open_flows(*args: Any, **kwargs: Any) -> list[Any]:
            return []

        flow_capture._open_flows = no_open_flows  # type: ignore[assignment]
    if "store-finish" in names:
        from my_flow_api.repositories.sql.conversations import SqlConversationRepository

        async def not_written(self: Any, *args: Any, **kwargs: Any) -> bool:
            return True

        SqlConversationRepository.finish = not_written  # type: ignore[method-assign]
    if "end-log" in names:
        from my_flow_api.services.chat.turn import ChatTurn

        ChatTurn._log_ended = lambda self: None  # type: ignore[method-assign]
    if "checkpoints" in names:
        from my_flow_api.services.chat.checkpoints import Checkpoints

        Checkpoints.start = lambda self: None  # type: ignore[method-assign]


def _count(path: str) -> None:
    """Count store work (see the module docstring); SIGUSR1 appends the totals to `path`."""
    import aiosqlite
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from my_flow_api.repositories.sql.conversations import SqlConversationRepository

    counts: Counter[str] = Counter()
    # before session 11 (no `checkpoint_many`) saves are counted by their transactions only
    batch = getattr(SqlConversationRepository, "checkpoint_many", None)

    async def counted_batch(self: Any, writes: Any) -> Any:
        assert batch is not None
        counts["checkpoint_batches"] += 1
        counts["checkpoint_writes"] += len(writes)
        return await batch(self, writes)

    if batch is not None:
        SqlConversationRepository.checkpoint_many = counted_batch  # type: ignore[method-assign]
    trip = aiosqlite.Connection._execute

    async def counted_trip(self: Any, *args: Any, **kwargs: Any) -> Any:
        counts["driver_thread_trips"] += 1
        return await trip(self, *args, **kwargs)

    aiosqlite.Connection._execute = counted_trip  # type: ignore[method-assign]

    def on_begin(*_: Any) -> None:
        counts["transactions"] += 1

    def on_statement(*_: Any) -> None:
        counts["statements"] += 1

    event.listen(Engine, "begin", on_begin)
    event.listen(Engine, "before_cursor_execute", on_statement)

    def dump(*_: Any) -> None:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(counts) + "\n")

    signal.signal(signal.SIGUSR1, dump)


def main() -> None:
    parser = argparse.ArgumentParser(description="the real endpoint for the benchmark")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--profile", help="write cProfile stats here on shutdown")
    parser.add_argument(
        "--ablate", action="append", default=[], choices=ABLATIONS, help="repeatable"
    )
    parser.add_argument("--count", metavar="FILE", help="count store work (see above)")
    args = parser.parse_args()
    if args.count:
        _count(args.count)
    ablations = set(args.ablate)
    _ablate(ablations)
    options: dict[str, Any] = {}
    if "access-log" in ablations:
        options["access_log"] = False
    profiler = cProfile.Profile() if args.profile else None
    if profiler is not None:
        profiler.enable()
    from my_flow_api.cli import tuned_collector
    from my_flow_api.main import app  # imported before the freeze, as `my-flow serve` does

    try:
        # Exactly what `my-flow serve` does (src/my_flow_api/cli.py), minus --reload.
        with tuned_collector():
            uvicorn.run(
                app,
                host="127.0.0.1",
                port=args.port,
                log_config=None,
                http="my_flow_api.server.http_protocol:HeadLimitProtocol",
                timeout_graceful_shutdown=10,
                **options,
            )
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)


if __name__ == "__main__":
    main()
