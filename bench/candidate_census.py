"""Which gold flows of a labelled set have no candidate at all (no candidate title of
`learned.extract.titled_spans` matches them): the cap on what the classifier can recall.

    uv run python bench/candidate_census.py [--data FILE] [--before-reply] [--json OUT] [-v]

Counts by category, language and the kind of message the gold's words sit in; `-v`
prints each uncovered gold title with the chat's id (dev sets only: never run it with -v
on a held-out set).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.extraction.cases import before_reply, load_cases  # noqa: E402
from bench.extraction.matching import titles_match  # noqa: E402
from bench.extraction.runner import chat_messages  # noqa: E402

from my_flow_api.services.extraction.learned.extract import titled_spans  # noqa: E402

CORPUS_DEV = ROOT / "bench/extraction/corpus/dev.jsonl"


def census(path: Path, reply: bool, verbose: bool) -> dict[str, object]:
    """Covered and uncovered gold flows of `path`, read whole or before the reply."""
    gold = covered = 0
    by: dict[str, Counter[str]] = {"category": Counter(), "language": Counter()}
    kinds: Counter[str] = Counter()
    for case in load_cases([path]):
        case = before_reply(case) if reply else case
        titled = titled_spans(chat_messages(case), case.today)
        for flow in case.flows:
            gold += 1
            hits = [s for s, t in titled if titles_match(t, flow.title)]
            if hits:
                covered += 1
                for span in hits[:1]:
                    kinds.update(k for k in span.flags if k.startswith("kind="))
                continue
            by["category"][case.category] += 1
            by["language"][case.language] += 1
            if verbose:
                print(f"{case.id}\t{case.category}\t{flow.title}")
    return {
        "gold": gold,
        "covered": covered,
        "uncovered": gold - covered,
        "coverage": round(covered / gold, 3) if gold else 1.0,
        "uncovered_by_category": dict(by["category"].most_common()),
        "uncovered_by_language": dict(by["language"].most_common()),
        "first_covering_kind": dict(kinds.most_common()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=CORPUS_DEV)
    parser.add_argument("--before-reply", action="store_true")
    parser.add_argument("--json", type=Path)
    parser.add_argument("-v", action="store_true", dest="verbose")
    args = parser.parse_args()
    result = census(args.data, args.before_reply, args.verbose)
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
