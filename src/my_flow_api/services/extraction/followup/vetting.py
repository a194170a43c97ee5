"""The same checks for every proposer (the embedded rules or a model): an operation is
kept only when

- it names a known open flow, at most once, within `MAX_OPERATIONS`;
- its evidence is a sentence the user said in their own voice (not pasted or injected
  text, not the assistant's words);
- that sentence states the change as done or decided (no question, hypothetical, plan,
  partial progress or other person's action), and
- it names the task the flow is about (its object words, or the corrected word);
- a cancellation, reschedule or reprioritisation has its cue in a clause bound to the flow,
  and a new due day or priority is the one that clause states (`binding`).

Anything else is dropped: when unsure, nothing changes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime

from my_flow_api.models.flow import TITLE_MAX
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.extraction.followup import binding
from my_flow_api.services.extraction.followup.detect import user_passages
from my_flow_api.services.extraction.followup.judge import decided_about
from my_flow_api.services.extraction.followup.operations import (
    MAX_OPERATIONS,
    Op,
    OpenFlow,
    Operation,
)
from my_flow_api.services.extraction.text import fold

MIN_EVIDENCE_CHARS = 6


def vet(
    proposed: Sequence[Operation],
    chat: Sequence[ChatMessage],
    flows: Sequence[OpenFlow],
    today: date | None = None,
) -> list[Operation]:
    """The proposed operations that pass every check (see the module docstring); `today`
    (the user's, default UTC's) resolves the relative day a reschedule's evidence names."""
    day = today or datetime.now(UTC).date()
    by_id = {f.id: f for f in flows}
    proposed = [p for p in proposed[: MAX_OPERATIONS * 4] if p.flow_id in by_id]
    counts = Counter(p.flow_id for p in proposed)
    said = [(_key(s), _key(text), text) for s, text in user_passages(chat, flows)]
    kept = [
        op
        for op in proposed
        if counts[op.flow_id] == 1 and _justified(op, by_id[op.flow_id], said, flows, day)
    ]
    return [_bounded(op) for op in kept[:MAX_OPERATIONS]]


def _key(text: str) -> str:
    return " ".join(fold(text).split())


def _justified(
    op: Operation,
    flow: OpenFlow,
    said: list[tuple[str, str, str]],
    flows: Sequence[OpenFlow],
    today: date,
) -> bool:
    evidence = _key(op.evidence)
    if not evidence or not _has_value(op, flow):
        return False
    # The evidence must be (part of) one of the user's own sentences, and that whole
    # sentence is what is judged: a quoted fragment cannot hide its "if" or "?".
    # (A plain yes to the assistant's proposal is one sentence with two readings.)
    # A short evidence ("yes", "sí") must be a whole sentence, not a piece of any.
    long_enough = len(evidence) >= MIN_EVIDENCE_CHARS
    matches = [
        raw
        for key, whole, raw in said
        if evidence == key or (long_enough and (evidence in key or evidence in whole))
    ]
    return any(_justified_by(op, flow, sentence, flows, today) for sentence in matches)


def _justified_by(
    op: Operation, flow: OpenFlow, sentence: str, flows: Sequence[OpenFlow], today: date
) -> bool:
    if not decided_about(sentence, flow, op.op, flows):
        return False
    # The new value must be the one the bound clause states, not one from elsewhere.
    if op.op is Op.RESCHEDULE:
        return op.due is not None and binding.due_fits(sentence, flow, flows, today, op.due)
    if op.op is Op.REPRIORITISE:
        return binding.bound_priority(sentence, flow, flows) == op.priority
    return True


def _has_value(op: Operation, flow: OpenFlow) -> bool:
    match op.op:
        case Op.RESCHEDULE:
            return op.due is not None and op.due != flow.due
        case Op.REPRIORITISE:
            return op.priority is not None and op.priority != flow.priority
        case Op.REFINE:
            return bool(op.title and op.title.strip()) and op.title != flow.title
    return True


def _bounded(op: Operation) -> Operation:
    if op.title is None:
        return op
    title = " ".join(op.title.split())[:TITLE_MAX]
    return Operation(op.op, op.flow_id, op.evidence, op.due, op.priority, title)
