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

These exist to attribute instructions (`fixed_cost_callgrind.py --ablate`); a variant that
skips a store write leaves conversations `streaming` and is no working service.

    python bench/servers/endpoint.py --port 9005 [--profile endpoint.prof] [--ablate extraction]
"""

from __future__ import annotations

import argparse
import cProfile
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


def main() -> None:
    parser = argparse.ArgumentParser(description="the real endpoint for the benchmark")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--profile", help="write cProfile stats here on shutdown")
    parser.add_argument(
        "--ablate", action="append", default=[], choices=ABLATIONS, help="repeatable"
    )
    args = parser.parse_args()
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
