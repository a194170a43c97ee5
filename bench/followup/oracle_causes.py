"""Why the oracle loses a labelled change: the first check that vetoes it.

    uv run python bench/followup/oracle_causes.py --data dev,dev2 [-v]

For every labelled operation of the dev sets, the oracle's evidence (`oracle.evidence_for`)
is vetted alone, in-process (`vetting.vet`, the same call the pipeline makes); when it is
dropped, the judgement's steps are replayed in their order to name the first one that
fails, and every other user sentence is tried to tell a poor pick (another sentence
passes) from a check that refuses them all. Never run on the frozen parts: it prints
their sentences.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.followup.oracle import _ref, chat_of, evidence_for  # noqa: E402

from my_flow_api.models.flow import FlowPriority  # noqa: E402
from my_flow_api.services.extraction.followup import (  # noqa: E402
    aspect,
    binding,
    completion,
    guards,
)
from my_flow_api.services.extraction.followup.detect import user_passages  # noqa: E402
from my_flow_api.services.extraction.followup.judge import (  # noqa: E402
    _decided,
    naming_segments,
)
from my_flow_api.services.extraction.followup.operations import (  # noqa: E402
    Op,
    OpenFlow,
    Operation,
)
from my_flow_api.services.extraction.followup.vetting import vet  # noqa: E402

DEV = ("dev", "dev2", "dev3", "dev4", "dev5", "dev6")


def _operation(change: dict[str, Any], flow_id: str, evidence: str) -> Operation:
    due = date.fromisoformat(change["due_date"]) if change.get("due_date") else None
    prio = FlowPriority(change["priority"]) if change.get("priority") else None
    return Operation(Op(change["op"]), flow_id, evidence, due, prio, change.get("title"))


def first_failure(text: str, flow: OpenFlow, op: Op, flows: list[OpenFlow]) -> str:
    """The first step of `judge.decided_about` that refuses `text` (its order)."""
    if guards.is_question(text):
        return "question"
    naming = naming_segments(text, flow, op)
    if not naming:
        return "not named (linking)"
    if any(binding.owned_by_other(s, flow) for s in naming):
        return "owned by other"
    if op in binding.BOUND_OPS:
        bound = {p for g in binding.bound_groups(text, flow, op, flows) for p in g}
        naming = [s for s in naming if s not in bound]
    for segment in naming:
        if not guards.states_decided_change(segment, flow.title):
            return "not decided (hypothetical/partial/other person)"
        if op is Op.COMPLETE and guards.LATER.search(segment):
            return "later"
        if op is Op.COMPLETE and guards.NEGATED.search(segment):
            return "negated"
        if not _decided(segment, op, flow.title):
            return "plan"
    if op is Op.COMPLETE:
        if aspect.in_progress(text):
            return "in progress (aspect)"
        if completion.not_done(text, naming, flow, flows):
            return "not done (completion)"
        if not (
            aspect.OPENING_DONE.match(text) or any(completion.verb_fits(s, flow) for s in naming)
        ):
            return "verb does not fit (completion)"
        return "?"
    if op is Op.CANCEL and binding.REBOOK.search(text):
        return "rebook"
    if op is Op.RESCHEDULE and binding.OBJECTION.search(text):
        return "objection"
    if op in binding.BOUND_OPS and not binding.states_bound(text, flow, op, flows):
        return "not bound (binding)"
    return "value (day/priority not the bound one)"


def diagnose(case: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per labelled operation the vetting drops."""
    seeds = {s["id"]: s for s in case["open_flows"]}
    flows = [_ref(s, s["id"]) for s in case["open_flows"]]
    by_id = {f.id: f for f in flows}
    chat = chat_of(case)
    today = date.fromisoformat(case["today"])
    passages = user_passages(chat, flows)
    rows = []
    for change in case["changes"]:
        seed = seeds[change["flow_id"]]
        evidence = evidence_for(case, change, seed)
        op = _operation(change, seed["id"], evidence)
        if vet([op], chat, flows, today):
            continue
        text = next((t for s, t in passages if s == evidence), evidence)
        others = [
            s
            for s, _ in passages
            if s != evidence and vet([_operation(change, seed["id"], s)], chat, flows, today)
        ]
        cause = (
            first_failure(text, by_id[seed["id"]], Op(change["op"]), flows)
            if evidence
            else "no user sentence"
        )
        value = change.get("due_date") or change.get("priority") or change.get("title")
        rows.append({"case": case["id"], "op": change["op"], "title": seed["title"],
                     "evidence": evidence, "judged": text, "cause": cause,
                     "other_passes": others[:1], "value": value})  # fmt: skip
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=",".join(DEV))
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    rows = []
    for name in args.data.split(","):
        if name not in DEV:
            parser.error(f"{name}: development sets only")
        path = ROOT / "bench" / "followup" / f"{name}.jsonl"
        for line in path.read_text(encoding="utf-8").splitlines():
            if line:
                rows += [dict(r, data=name) for r in diagnose(json.loads(line))]
    if args.verbose:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False))
    print(Counter(r["cause"] for r in rows).most_common())
    print("another sentence passes:", sum(1 for r in rows if r["other_passes"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
