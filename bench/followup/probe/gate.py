"""The learned gate of `bench/followup/learned.py` on the probe sentences (issue 22, fifth
round): the classifier is trained on all the dev sets (dev..dev5), then each probe line's
kept operations are let through only when the gate gives their operation at least p.
Prints, per file, how many lines still change with no gate and with each threshold.

    uv run python bench/followup/probe/gate.py bench/followup/probe/traps.txt \\
        bench/followup/probe/real.txt
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.followup.learned import IntentModel, fit, gate_keeps, training_pairs  # noqa: E402

from my_flow_api.models.conversation import MessageRole  # noqa: E402
from my_flow_api.models.flow import FlowPriority  # noqa: E402
from my_flow_api.services.ai.base import ChatMessage  # noqa: E402
from my_flow_api.services.extraction.followup.detect import detect_operations  # noqa: E402
from my_flow_api.services.extraction.followup.operations import OpenFlow  # noqa: E402
from my_flow_api.services.extraction.followup.vetting import vet  # noqa: E402

SETS = ("dev", "dev2", "dev3", "dev4", "dev5", "dev6")
GATES = (None, 0.2, 0.35, 0.5)
TODAY = date(2026, 3, 4)
DUE = date(2026, 3, 10)


def main(paths: list[str]) -> int:
    data = ROOT / "bench" / "followup"
    cases = [
        json.loads(line)
        for name in SETS
        for line in (data / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        if line
    ]
    model = IntentModel(fit(*training_pairs(cases)))
    for path in paths:
        lines = [line for line in Path(path).read_text(encoding="utf-8").splitlines() if line]
        changed = dict.fromkeys(GATES, 0)
        for line in lines:
            title, said = line.split(" || ", 1)
            flows = [OpenFlow("f1", title, DUE, FlowPriority.MEDIUM)]
            chat = [ChatMessage(MessageRole.USER, said)]
            kept = vet(detect_operations(chat, flows, TODAY), chat, flows, TODAY)
            for gate in GATES:
                through = [o for o in kept if gate is None or gate_keeps(model, o, flows[0], gate)]
                changed[gate] += bool(through)
        print(path, len(lines), {str(k): v for k, v in changed.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
