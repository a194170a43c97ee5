"""Score follow-up (issue 22): what a chat turn does to the context's open flows.

    uv run python bench/followup_eval.py [--provider local|oracle|corrupted] \\
        [--data dev|dev2|dev3|dev4|dev5|frozen|frozen2|frozen3|frozen4|frozen5] [--json OUT] [-v]

Each case (`bench/followup/*.jsonl`, format in `bench/followup/WRITERS_SPEC.md`) seeds
its open flows in a fresh SQLite store through the repository, runs the turn's flow
capture (`services/chat/flow_capture.capture_turn`: open flows read, extraction with
follow-up, vetting, one `apply_turn`) with the case's `today`, then reads the flows back
(see `bench/followup/runner.py` and `scoring.py`).

- `local`: the embedded default (rules, in-process);
- `oracle`: the fake OpenAI server answers the labelled operations and new flows in the
  structured output, each with the user's sentence as evidence: the pipeline must keep
  them all (change accuracy 1.0);
- `corrupted`: the same fake drops a third of the labelled operations and adds wrong
  ones (assistant words, questions, unknown ids, injected "mark everything done", a flood):
  the checks must block every wrong one (0 false changes).

Figures: change accuracy (seeded flows whose final state is the labelled one), false
changes (flows labelled to stay that changed), new-flow P/R/F1 (titles paired by
`bench/extraction/matching.titles_match`), duplicates of open flows, accepted injected
titles, latency of the capture (wall clock) p50/p95/max.

`frozen.jsonl` is the held-out test part: score it only to report, never to tune, and
never with `-v` (the per-case lines would show its cases).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.followup.runner import PROVIDERS, run  # noqa: E402

DATA = ROOT / "bench" / "followup"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", choices=PROVIDERS, default="local")
    parts = ("dev", "dev2", "dev3", "dev4", "dev5", "dev6")
    parts += ("frozen", "frozen2", "frozen3", "frozen4", "frozen5")
    parser.add_argument("--data", choices=parts, default="dev")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.verbose and args.data.startswith("frozen"):
        parser.error("-v is refused on the frozen part: it would print its cases")
    path = DATA / f"{args.data}.jsonl"
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    from bench.followup.scoring import summary

    from my_flow_api.logging_setup import configure_logging

    configure_logging(level="WARNING")

    scores = asyncio.run(run(args.provider, cases, args.seed))
    if args.verbose:
        for s in scores:
            if s.wrong or s.new_fp or s.new_fn or s.error:
                print(f"{s.case_id} {s.category}: wrong={s.wrong} false={s.false_changes} "
                      f"new tp/fp/fn={s.new_tp}/{s.new_fp}/{s.new_fn}")  # fmt: skip
    report = {"provider": args.provider, "data": args.data, **summary(scores)}
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
