"""Where the streaming endpoint's CPU goes, by difference.

The endpoint is started several times against the same lean fake upstream, each time with
one more piece switched off in the server process only (`bench/servers/endpoint.py
--ablate`, monkeypatching at start-up; `src/` is never touched): the access log, the app's
INFO logs, flow extraction (one extra non-streaming upstream call per stream), the ES384
signature check of the bearer token. For every variant it measures the CPU of 1-token
streams (the fixed cost of a stream) and of `--cpu-tokens`-token streams (the marginal cost
of a token), and the unloaded time to first token; RELAY-FLOOR and NAIVE are measured the
same way for reference. Differences between consecutive rows are what the removed piece
costs. A profile (`run_streaming_bench.py --profile-endpoint`) says which functions; this
says which features.

    uv run --frozen python bench/endpoint_splits.py [--cpu-streams 300] [--cpu-tokens 500]
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from typing import Any

from run_streaming_bench import (
    ENDPOINT,
    NAIVE,
    RELAY,
    RESULTS,
    Bench,
    LoadGenerator,
    parse_args,
    source_snapshot,
)

QUIET_LOGS = {"LOG_LEVEL": "WARNING"}
VARIANTS: list[tuple[str, str, list[str], dict[str, str]]] = [
    ("relay-floor", RELAY, [], {}),
    ("naive", NAIVE, [], {}),
    ("endpoint", ENDPOINT, [], {}),
    ("endpoint-no-access-log", ENDPOINT, ["--ablate", "access-log"], {}),
    ("endpoint-no-logs", ENDPOINT, ["--ablate", "access-log"], QUIET_LOGS),
    (
        "endpoint-no-logs-no-extraction",
        ENDPOINT,
        ["--ablate", "access-log", "--ablate", "extraction"],
        QUIET_LOGS,
    ),
    (
        "endpoint-no-logs-no-extraction-no-jwt-sig",
        ENDPOINT,
        ["--ablate", "access-log", "--ablate", "extraction", "--ablate", "jwt-signature"],
        QUIET_LOGS,
    ),
]
REMOVED = {
    "endpoint-no-access-log": "uvicorn access log",
    "endpoint-no-logs": "app INFO logs (structlog JSON)",
    "endpoint-no-logs-no-extraction": "flow extraction call (non-streaming)",
    "endpoint-no-logs-no-extraction-no-jwt-sig": "ES384 token signature check",
}


def measure(bench: Bench, name: str, args: argparse.Namespace) -> dict[str, Any]:
    bench.warm_up([name])
    fixed = bench.run_closed(name, args.cpu_streams, args.cpu_concurrency, 1)
    full = bench.run_closed(
        name, max(20, args.cpu_streams // 3), args.cpu_concurrency, args.cpu_tokens
    )
    unloaded = bench.run_closed(name, 30, 1, 1)
    paced = bench.run_load(name) if args.streams > 8 else None
    marginal = (full["cpu_ms_per_stream"] - fixed["cpu_ms_per_stream"]) / (args.cpu_tokens - 1)
    return {
        "fixed_cpu_ms_per_stream": fixed["cpu_ms_per_stream"],
        "marginal_cpu_us_per_token": marginal * 1000,
        "cpu_s_per_1k_tokens": full["cpu_s_per_1k_tokens"],
        "unloaded_ttft_p50_ms": unloaded["ttft_p50_ms"],
        "paced_cpu_us_per_token": paced["cpu_s_per_1k_tokens"] * 1000 if paced else None,
        "paced_server_cpu_pct": paced["server_cpu_pct"] if paced else None,
        "errors": fixed["errors"]
        + full["errors"]
        + unloaded["errors"]
        + (paced["errors"] if paced else 0),
        "other_processes_cpu_pct": max(
            fixed["other_processes_cpu_pct"], full["other_processes_cpu_pct"]
        ),
    }


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def render(rows: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    out = [
        "### Where the endpoint's CPU goes (ablation)\n",
        f"Fixed = CPU of a 1-token stream ({args.cpu_streams} streams, {args.cpu_concurrency} at "
        f"a time); marginal = extra CPU per token of {args.cpu_tokens}-token streams; "
        "unloaded TTFT = median of 30 sequential 1-token streams; paced = server CPU per "
        f"relayed token (fixed costs included) with {args.streams} streams x {args.tokens} "
        f"tokens at {args.rate:g} tokens/s (`--paced-streams`, 0: skipped). "
        "Each endpoint row removes "
        "one more piece; *saves* is the difference to the row above.\n",
        "| variant | removed | fixed CPU ms / stream | saves ms / stream "
        "| marginal CPU us / token | paced CPU us / token | unloaded TTFT p50 ms "
        "| other processes CPU % | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    previous: float | None = None
    for name, row in rows.items():
        fixed = row["fixed_cpu_ms_per_stream"]
        saves = "" if previous is None or name not in REMOVED else f"{previous - fixed:.2f}"
        out.append(
            f"| {name} | {REMOVED.get(name, '')} | {fixed:.2f} | {saves} "
            f"| {row['marginal_cpu_us_per_token']:.1f} "
            f"| {_f(row.get('paced_cpu_us_per_token'))} | {row['unloaded_ttft_p50_ms']} "
            f"| {row['other_processes_cpu_pct']:.0f} | {row['errors']} |"
        )
        if name.startswith("endpoint"):
            previous = fixed
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cpu-streams", type=int, default=300)
    parser.add_argument("--cpu-tokens", type=int, default=500)
    parser.add_argument("--paced-streams", type=int, default=0)
    parser.add_argument("--paced-tokens", type=int, default=100)
    parser.add_argument(
        "--only", action="append", default=[], help="run only these variants (repeatable)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "endpoint_splits.md")
    own = parser.parse_args()
    args = parse_args(
        [
            "--streams",
            str(max(8, own.paced_streams)),
            "--tokens",
            str(own.paced_tokens),
            "--ramp",
            "2",
            "--quiet-wait",
            "0",
            "--cpu-streams",
            str(own.cpu_streams),
            "--cpu-tokens",
            str(own.cpu_tokens),
        ]
    )

    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    bench = Bench(args)
    rows: dict[str, dict[str, Any]] = {}
    try:
        bench.loadgen = LoadGenerator(args.clients)
        bench.start_upstream()
        chosen = [v for v in VARIANTS if not own.only or v[0] in own.only]
        for name, kind, argv, env in chosen:
            print(f"{name} ...", file=sys.stderr, flush=True)
            bench.start_server(name, kind, argv, env)
            try:
                rows[name] = measure(bench, name, args)
                print(f"  {json.dumps(rows[name])}", file=sys.stderr, flush=True)
            finally:
                bench.stop_server(name)
    except KeyboardInterrupt:
        print("interrupted; stopping every process", file=sys.stderr)
        return 130
    finally:
        bench.stop()
    table = render(rows, args)
    print(table)
    own.out.parent.mkdir(parents=True, exist_ok=True)
    own.out.write_text(table)
    payload = {"source": source_snapshot(), "rows": rows}
    own.out.with_suffix(".json").write_text(json.dumps(payload, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
