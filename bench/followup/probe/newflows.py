"""Probe sentences for new flows on follow-up turns (session 9), written by the developer
for the classes of the brief before the round's later changes, not taken from any corpus.
Each line: `open titles (;) || user message || new titles (;) or -`. Counts tp/fp/fn with
`titles_match`, and a duplicate when a new flow restates an open one.

    uv run python bench/followup/probe/newflows.py bench/followup/probe/newflows.txt [-v]

`newflows2.txt` (20 more) was written after the round's changes, to check them on
phrasings none of them was made for.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import date
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.extraction.matching import pair  # noqa: E402

from my_flow_api.models.conversation import MessageRole  # noqa: E402
from my_flow_api.models.flow import FlowPriority  # noqa: E402
from my_flow_api.services.ai.base import ChatMessage, ChatProvider  # noqa: E402
from my_flow_api.services.extraction.followup.operations import OpenFlow  # noqa: E402
from my_flow_api.services.extraction.followup.turn import extract_turn  # noqa: E402
from my_flow_api.services.extraction.mode import FlowExtractor  # noqa: E402
from my_flow_api.services.extraction.service import FlowExtraction  # noqa: E402

TODAY = date(2026, 3, 4)


class _Local:
    name = "local"


async def main(path: str, verbose: bool) -> int:
    extraction = FlowExtraction(cast(ChatProvider, _Local()), FlowExtractor.RULES)
    tp = fp = fn = 0
    for line in Path(path).read_text(encoding="utf-8").splitlines():  # noqa: ASYNC240
        if not line.strip():
            continue
        opened, said, wanted = (part.strip() for part in line.split(" || "))
        flows = [
            OpenFlow(f"f{i}", t.strip(), None, FlowPriority.MEDIUM)
            for i, t in enumerate(opened.split(";"))
        ]
        gold = [] if wanted == "-" else [t.strip() for t in wanted.split(";")]
        chat = [ChatMessage(MessageRole.USER, said)]
        found = await extract_turn(extraction, chat, None, flows, today=TODAY)
        got = [f.title for f in found.flows]
        hits = len(pair(got, gold))
        tp, fp, fn = tp + hits, fp + len(got) - hits, fn + len(gold) - hits
        if verbose and (hits != len(got) or hits != len(gold)):
            print(f"got {got} want {gold} | {said}")
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"tp {tp} fp {fp} fn {fn}  P {p:.2f} R {r:.2f} F1 {f1:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], "-v" in sys.argv)))
