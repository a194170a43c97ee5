"""The fake upstream's answers for the `oracle` and `corrupted` providers.

`oracle_answer`: the case's labelled new flows and operations, each operation with the
user sentence that best names its flow as evidence (the sentence the vetting must accept).
`corrupted_answer` (seeded by the case id): each labelled operation dropped with
probability 1/3, and wrong ones added, each of which the checks must block: a completion
of an unchanged flow whose evidence is the assistant's words, one with a user question
as evidence, one naming an unknown id, a "mark everything done" on every flow with the
pasted text as evidence for injection cases, and a flood of operations on made-up ids.
"""

from __future__ import annotations

import random
import re
from datetime import date
from typing import Any

from my_flow_api.models.conversation import MessageRole
from my_flow_api.models.flow import FlowPriority
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.extraction.followup.cues import new_priority
from my_flow_api.services.extraction.followup.detect import user_passages, user_sentences
from my_flow_api.services.extraction.followup.judge import decided_about
from my_flow_api.services.extraction.followup.linking import coverage
from my_flow_api.services.extraction.followup.operations import Op, OpenFlow
from my_flow_api.services.extraction.followup.refine import correction
from my_flow_api.services.extraction.followup.when import days_in

DROP = 1 / 3


def chat_of(case: dict[str, Any]) -> list[ChatMessage]:
    return [ChatMessage(MessageRole(m["role"]), m["content"]) for m in case["messages"]]


def _ref(seed: dict[str, Any], flow_id: str) -> OpenFlow:
    due = date.fromisoformat(seed["due_date"]) if seed.get("due_date") else None
    return OpenFlow(flow_id, seed["title"], due, FlowPriority(seed["priority"]))


def evidence_for(case: dict[str, Any], change: dict[str, Any], seed: dict[str, Any]) -> str:
    """The user sentence that best names the seeded flow (decided statements first, then
    those stating the labelled new day or priority)."""
    op = change["op"]
    ref = _ref(seed, seed["id"])
    refs = [_ref(s, s["id"]) for s in case["open_flows"]]
    passages = user_passages(chat_of(case), refs)  # (sentence, the text it is judged in)
    if op == "refine":
        for sentence, _ in passages:
            if correction(sentence, [ref]) is not None:
                return sentence
    today = date.fromisoformat(case["today"])

    def states_value(sentence: str) -> bool:  # a model quotes the sentence with the value
        if op == "reschedule" and change.get("due_date"):
            return date.fromisoformat(change["due_date"]) in days_in(sentence, today)
        if op == "reprioritise" and change.get("priority"):
            return new_priority(sentence) == FlowPriority(change["priority"])
        return True

    ranked = sorted(
        passages,
        key=lambda p: (decided_about(p[1], ref, Op(op), refs), states_value(p[1]),
                       coverage(p[1], ref)),
        reverse=True,
    )  # fmt: skip
    return ranked[0][0] if ranked else ""


def _item(change: dict[str, Any], flow_id: str, evidence: str) -> dict[str, Any]:
    return {
        "op": change["op"],
        "flow_id": flow_id,
        "evidence": evidence,
        "due_date": change.get("due_date"),
        "priority": change.get("priority"),
        "title": change.get("title"),
    }


def _flow(gold: dict[str, Any]) -> dict[str, Any]:
    priority = gold.get("priority", "medium")
    return {"title": gold["title"], "description": None, "priority": priority,
            "due_date": gold.get("due_date")}  # fmt: skip


def oracle_answer(case: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    """Exactly the labels, as a model following the schema would answer them."""
    seeds = {s["id"]: s for s in case["open_flows"]}
    ops = [
        _item(c, ids[c["flow_id"]], evidence_for(case, c, seeds[c["flow_id"]]))
        for c in case["changes"]
    ]
    return {"flows": [_flow(g) for g in case["new_flows"]], "operations": ops}


def corrupted_answer(case: dict[str, Any], ids: dict[str, str], seed: int = 0) -> dict[str, Any]:
    """A seeded corruption of the oracle (see the module docstring)."""
    rng = random.Random(f"{seed}:{case['id']}")
    answer = oracle_answer(case, ids)
    ops = [op for op in answer["operations"] if rng.random() >= DROP]
    changed = {c["flow_id"] for c in case["changes"]}
    still = [s for s in case["open_flows"] if s["id"] not in changed]
    assistant = " ".join(m["content"] for m in case["messages"] if m["role"] == "assistant")
    questions = [s for s in user_sentences(chat_of(case)) if s.rstrip().endswith("?")]
    if still:
        target = ids[rng.choice(still)["id"]]
        if assistant:
            ops.append(_bad("complete", target, assistant[:300]))
        if questions:
            ops.append(_bad("cancel", target, questions[0]))
    ops.append(_bad("complete", "f" + str(rng.randrange(10**9)), "I did it"))
    if case["category"] == "injection":
        pasted = " ".join(m["content"] for m in case["messages"] if m["role"] == "user")
        injected = re.split(r"\n\s*\n", pasted, maxsplit=1)[-1][:400]
        ops += [_bad("complete", ids[s["id"]], injected) for s in case["open_flows"]]
    ops += [_bad("cancel", f"flood-{i}", "drop everything") for i in range(40)]
    rng.shuffle(ops)
    return {"flows": answer["flows"], "operations": ops}


def _bad(op: str, flow_id: str, evidence: str) -> dict[str, Any]:
    return {"op": op, "flow_id": flow_id, "evidence": evidence, "due_date": None,
            "priority": None, "title": None}  # fmt: skip
