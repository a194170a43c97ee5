"""Score flow extraction (`FlowExtraction.extract`) against labelled conversations.

    uv run python bench/extraction_eval.py [--data FILE ...] \\
        [--provider local|openai|oracle|corrupted] [--base-url URL --model M --api-key K] \\
        [--extractor auto|rules|model] [--category C] [--limit N] [--json OUT] \\
        [--min-f1 X] [--max-injected N] [-v]

Data: `bench/extraction/*.jsonl`, one case per line (see `bench/extraction/cases.py`);
default `dev.jsonl`, or `sample.jsonl` (the 5-case CI smoke subset) while it is missing.

Providers: `local` is the embedded default (`AI_PROVIDER=local`); `openai` any
OpenAI-compatible server (`--base-url`, `--model`, `--api-key`, default key "none");
`oracle` the repository's fake OpenAI server answering each case's gold flows, through the
full pipeline (parsing, validation, grounding), so it must score F1 1.0; `corrupted` the
same fake answering a seeded corruption of the gold (flows dropped, a fabricated flow and
the planted `forbidden` ones added, dates shifted, priorities flipped), which must score
clearly lower. `--extractor` is passed as `FLOW_EXTRACTOR`.

Title matching (`bench/extraction/matching.py`). Titles are normalised (NFKC, casefold,
accents stripped), split on non-alphanumerics, stripped of en/es/de/fr stopwords
(articles, pronouns, possessives, prepositions, conjunctions, auxiliaries) and lightly
stemmed (at most one suffix: -ies -> -y; -ing, -ed, -es after a sibilant, -s keeping >= 3
characters; -er, -ar, -ir, -en, -re keeping >= 4). Tokens are shared when equal or when
one is a prefix of the other of at least 4 characters. Two titles match when the overlap
coefficient |A & B| / min(|A|, |B|) >= 0.6. Predictions and gold flows are paired one to
one, greedily by descending overlap (ties by Dice). Unmatched predictions are false
positives, unmatched gold flows false negatives; a prediction matching any `forbidden`
title is an accepted injection, one matching an earlier prediction of its case a duplicate.

Figures: micro-averaged precision, recall and F1 overall and per category (P = 1 with no
predictions, R = 1 with no gold), injected flows accepted, duplicates, due-date (exact
day, both null correct) and priority accuracy on matched pairs, latency p50/p95/max of the
`extract_flows` call (wall clock), provider errors (`AIServiceError`: no flows) and
crashes (any other exception: no flows, first traceback printed).

Exit code: 0; 1 when overall F1 < `--min-f1` or accepted injections > `--max-injected`;
2 when the data cannot be read or no case is selected; 3 when an extraction crashed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make `bench` and `tests` importable
    sys.path.insert(0, str(ROOT))

from bench.extraction.cases import (  # noqa: E402
    CATEGORIES,
    CaseError,
    before_reply,
    load_cases,
    select,
)
from bench.extraction.report import build_report, format_report  # noqa: E402
from bench.extraction.runner import EXTRACTORS, PROVIDERS, RunConfig, run  # noqa: E402

DATA_DIR = ROOT / "bench" / "extraction"
SAMPLE = DATA_DIR / "sample.jsonl"
EXIT_THRESHOLD = 1
EXIT_CRASHED = 3


def default_data() -> list[Path]:
    """`dev.jsonl` when it exists, else the smoke subset."""
    dev = DATA_DIR / "dev.jsonl"
    return [dev if dev.exists() else SAMPLE]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, nargs="+", help="jsonl files (default: dev)")
    parser.add_argument("--provider", choices=PROVIDERS, default="local")
    parser.add_argument("--base-url", help="OpenAI-compatible base URL (openai)")
    parser.add_argument("--model", help="model name (openai)")
    parser.add_argument("--api-key", default="none", help="API key (openai; default 'none')")
    parser.add_argument("--extractor", choices=EXTRACTORS, default="auto")
    parser.add_argument("--category", choices=CATEGORIES, help="only this category's cases")
    parser.add_argument("--limit", type=int, help="only the first N (selected) cases")
    parser.add_argument("--seed", type=int, default=0, help="seed of the corrupted answers")
    parser.add_argument(
        "--before-reply",
        action="store_true",
        help="drop each chat's closing assistant reply (a live turn's reading)",
    )
    parser.add_argument("--json", type=Path, dest="json_out", help="write the figures here")
    parser.add_argument("--min-f1", type=float, help="exit 1 when overall F1 is below")
    parser.add_argument(
        "--max-injected", type=int, help="exit 1 when more injected flows were accepted"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="list failing cases")
    return parser.parse_args(argv)


def _warnings(args: argparse.Namespace, report: dict[str, object], cases: int) -> list[str]:
    out = []
    if args.provider in ("oracle", "corrupted") and args.extractor == "rules":
        out.append("!! --extractor rules never asks the model: the oracle answer is not used")
    requests = report["fake_requests"]
    if isinstance(requests, int) and requests < cases and args.extractor != "rules":
        out.append(f"!! the fake model was asked {requests} times for {cases} cases")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run, print and save the evaluation; the exit code."""
    args = parse_args(argv)
    data: list[Path] = args.data or default_data()
    try:
        cases = select(load_cases(data), args.category, args.limit)
        if args.before_reply:
            cases = [before_reply(case) for case in cases]
    except (OSError, CaseError) as exc:
        print(f"cannot read the cases: {exc}", file=sys.stderr)
        return 2
    if not cases:
        print("no cases selected", file=sys.stderr)
        return 2
    config = RunConfig(
        provider=args.provider,
        extractor=args.extractor,
        base_url=args.base_url,
        model=args.model,
        api_key=args.api_key,
        seed=args.seed,
    )
    outcome = asyncio.run(run(config, cases))
    report = build_report(outcome, data)
    print(format_report(report, verbose=args.verbose))
    for line in _warnings(args, report, len(cases)):
        print(line)
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    overall = report["overall"]
    if report["crashes"]:
        return EXIT_CRASHED
    if args.min_f1 is not None and overall["f1"] < args.min_f1:
        print(f"FAIL: overall F1 {overall['f1']:.3f} < {args.min_f1}")
        return EXIT_THRESHOLD
    if args.max_injected is not None and overall["injected_accepted"] > args.max_injected:
        print(f"FAIL: {overall['injected_accepted']} injected flows accepted")
        return EXIT_THRESHOLD
    return 0


if __name__ == "__main__":
    from my_flow_api.config import LogFormat
    from my_flow_api.logging_setup import configure_logging

    configure_logging(LogFormat.CONSOLE, "WARNING")
    sys.exit(main())
