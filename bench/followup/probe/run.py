"""Probe sentences for the follow-up checks (issue 22, fourth round), written for the
trap classes in the brief, not taken from any corpus: `traps.txt` must change nothing,
`real.txt` states the flow's task done. Each line: `title || user sentence`; the flow
is due 2026-03-10, today is 2026-03-04.

    uv run python bench/followup/probe/run.py bench/followup/probe/traps.txt
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from my_flow_api.models.conversation import MessageRole
from my_flow_api.models.flow import FlowPriority
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.extraction.followup.detect import detect_operations
from my_flow_api.services.extraction.followup.operations import OpenFlow
from my_flow_api.services.extraction.followup.vetting import vet

TODAY = date(2026, 3, 4)
DUE = date(2026, 3, 10)


def main(path: str) -> int:
    changed = 0
    lines = [line for line in Path(path).read_text(encoding="utf-8").splitlines() if line]
    for line in lines:
        title, said = line.split(" || ", 1)
        flows = [OpenFlow("f1", title, DUE, FlowPriority.MEDIUM)]
        chat = [ChatMessage(MessageRole.USER, said)]
        kept = vet(detect_operations(chat, flows, TODAY), chat, flows, TODAY)
        changed += bool(kept)
        mark = "CHANGE" if kept else "  -   "
        print(mark, [o.op.value for o in kept], "|", title, "|", said)
    print(f"{changed} of {len(lines)} changed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
