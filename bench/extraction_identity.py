"""Every case's learned extraction and its CPU time, to compare two versions of the code.

    uv run python bench/extraction_identity.py --out OUT.json [--data FILE ...]
    uv run python bench/extraction_identity.py --compare A.json B.json

Runs `extract_learned` (the embedded default's extractor, as `FlowExtraction` calls it on
the bounded conversation) on each case twice: first every case as a live turn reads it
(before the assistant's closing reply), then every case whole. Writes each case's flows
(title, due date, priority) and the thread CPU time of the call (`time.thread_time`: the
machine is shared, wall time measures the neighbours). `--compare` checks that two runs
extracted the same flows for every case and prints both runs' CPU p50/p95/max per file.
Caches (`lru_cache`) warm up along the run exactly as in a worker, and the order is fixed,
so two runs of different code are comparable.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from time import thread_time

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.extraction.cases import Case, before_reply, load_cases  # noqa: E402
from bench.extraction.runner import chat_messages  # noqa: E402

from my_flow_api.services.extraction.conversation import bounded_conversation  # noqa: E402
from my_flow_api.services.extraction.learned.extract import extract_learned  # noqa: E402
from my_flow_api.services.extraction.learned.scoring import shipped_model  # noqa: E402

CORPUS = ROOT / "bench" / "extraction"
DEFAULT_DATA = [
    CORPUS / "corpus" / f"{name}.jsonl"
    for name in ("dev", "frozen", "heldout_x15", "heldout_x16", "heldout_x17")
] + [CORPUS / f"{name}.jsonl" for name in ("dev", "holdout", "fresh")]
READINGS = ("live", "answered")


def _run(case: Case) -> tuple[list[list[str | None]], float]:
    chat = bounded_conversation(chat_messages(case))
    start = thread_time()
    flows = extract_learned(chat, case.today, "bench")
    spent = thread_time() - start
    rows = [
        [f.title, f.due_date.date().isoformat() if f.due_date else None, f.priority.value]
        for f in flows
    ]
    return rows, spent * 1000


def collect(paths: Sequence[Path]) -> dict[str, object]:
    """Each file's cases, per reading: flows and CPU milliseconds."""
    start = thread_time()
    shipped_model()
    load_ms = (thread_time() - start) * 1000
    files = {str(p.relative_to(ROOT)): load_cases([p]) for p in paths}
    out: dict[str, object] = {"load_ms": load_ms}
    for reading in READINGS:
        per_file: dict[str, object] = {}
        for name, cases in files.items():
            results = {}
            for case in cases:
                flows, ms = _run(before_reply(case) if reading == "live" else case)
                results[case.id] = {"flows": flows, "cpu_ms": ms}
            per_file[name] = results
        out[reading] = per_file
    return out


def _quantiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return ordered[len(ordered) // 2], p95, ordered[-1]


def compare(a: dict[str, object], b: dict[str, object]) -> int:
    """Differences in flows (printed) and the CPU figures of both runs; 1 if any differs."""
    compared = differ = 0
    print(f"model load CPU ms: {a['load_ms']:.0f} -> {b['load_ms']:.0f}")
    for reading in READINGS:
        files_a, files_b = a[reading], b[reading]
        if not isinstance(files_a, dict) or not isinstance(files_b, dict):
            raise TypeError(f"{reading}: not a run of this script")
        for name, cases in files_a.items():
            other = files_b[name]
            for case_id, result in cases.items():
                compared += 1
                if result["flows"] != other[case_id]["flows"]:
                    differ += 1
                    print(f"DIFF {reading} {name} {case_id}")
            before = _quantiles([r["cpu_ms"] for r in cases.values()])
            after = _quantiles([r["cpu_ms"] for r in other.values()])
            ratio = before[1] / after[1] if after[1] else float("inf")
            print(
                f"{reading:8} {name:40} n={len(cases):4} CPU ms p50/p95/max "
                f"{before[0]:6.1f} {before[1]:6.1f} {before[2]:6.1f} -> "
                f"{after[0]:6.1f} {after[1]:6.1f} {after[2]:6.1f}  p95 x{ratio:.1f}"
            )
    print(f"compared {compared} case readings, {differ} differ")
    return 1 if differ else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", nargs="+", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"))
    args = parser.parse_args(argv)
    if args.compare:
        a, b = (json.loads(p.read_text(encoding="utf-8")) for p in args.compare)
        return compare(a, b)
    if args.out is None:
        parser.error("--out or --compare is required")
    result = collect([p.resolve() for p in args.data])
    args.out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
