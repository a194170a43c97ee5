"""The embedded default: operations from the user's own sentences, in-process.

Per sentence of the user's own voice (`voice.user_voice`: no pasted or injected text, no
assistant words): a decided statement (`guards`) with a cue for a change (`cues`) that
names exactly one open flow (`linking`) proposes that change. `vetting` then checks it
like any model's proposal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import Protocol

from my_flow_api.models.conversation import MessageRole
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.extraction.clauses import lines, sentences
from my_flow_api.services.extraction.followup import aspect, binding, completion, guards, linking
from my_flow_api.services.extraction.followup.confirm import confirmed, proposes_change
from my_flow_api.services.extraction.followup.cues import new_priority, stated_ops
from my_flow_api.services.extraction.followup.judge import decided_about
from my_flow_api.services.extraction.followup.linking import link
from my_flow_api.services.extraction.followup.operations import Op, OpenFlow, Operation
from my_flow_api.services.extraction.followup.refine import correction
from my_flow_api.services.extraction.followup.when import new_due
from my_flow_api.services.extraction.voice import user_voice


def user_sentences(chat: Sequence[ChatMessage]) -> Iterator[str]:
    """Every sentence the user said in their own voice (quoted passages left out), in
    order, from the last message that takes back what came before ("wait no, I returned
    the shoes") on, but for a claim mocked by the clause or sentence after it ("j'ai fini
    les cartons, haha non": `guards.mocked`)."""
    turns = [aspect.unquoted(user_voice(m.content)) for m in chat if m.role is MessageRole.USER]
    refused = _refusals(chat)
    start = max(
        (i for i, text in enumerate(turns) if guards.takes_back(text) or i in refused), default=0
    )
    for text in turns[start:]:
        said = [s for line in lines(text) for s in sentences(line.text)]
        for i, sentence in enumerate(said):
            following = said[i + 1] if i + 1 < len(said) else ""
            if not guards.mocked(sentence, following):  # "fini les cartons, haha non"
                yield sentence


_PLAIN_NO = re.compile(r"^\W*(?:no+|nope|nah|non|nein|nee|n[ãa]o)\b", re.IGNORECASE)


def _refusals(chat: Sequence[ChatMessage]) -> set[int]:
    """The user turns (counted among the user's) that open with a no to the assistant's
    proposal to mark a flow done or remove it ("Shall I mark it as done?" "no, ..."):
    the claim the assistant read is not the user's."""
    out: set[int] = set()
    users = 0
    for at, message in enumerate(chat):
        if message.role is not MessageRole.USER:
            continue
        before = chat[at - 1] if at else None
        if (
            before is not None
            and before.role is MessageRole.ASSISTANT
            and _PLAIN_NO.match(message.content)
            and proposes_change(before.content)
        ):
            out.add(users)
        users += 1
    return out


def user_passages(chat: Sequence[ChatMessage], flows: Sequence[OpenFlow]) -> list[tuple[str, str]]:
    """Each user sentence with the text it is judged in: itself, or, when it names no open
    flow and points back ("push it to the 16th pls"), the sentence before it and then
    itself, as clauses of one ("the VAT return is not happening this week, push it to the
    16th pls"): what "it" names is what the sentence before named. A line pasted under
    someone's name ("Sarah: flight booked!!", `guards.speaker_line`) is not the user's.
    Then each plain yes to the assistant's proposal of a change, with that change as its
    text (`confirm`)."""
    title_words = {w for f in flows for w in linking.title_words(f.title)}
    said = [s for s in user_sentences(chat) if not guards.speaker_line(s, title_words)]
    out: list[tuple[str, str]] = []
    for i, sentence in enumerate(said):
        if _retried(sentence, said[i + 1 : i + 2], flows):
            continue  # "j'ai appelé la CAF, toujours occupé. je réessaierai cet aprèm"
        text = sentence
        if i > 0 and binding.points_back(sentence, flows):
            text = said[i - 1].rstrip(" .!…") + ", " + sentence
        out.append((sentence, text))
    return out + confirmed(chat, flows)  # "yep, go ahead" to "mark X as done?"


def _retried(sentence: str, following: list[str], flows: Sequence[OpenFlow]) -> bool:
    """The next sentence tries again, naming no open flow or one this sentence names
    ("will try again later", "je réessaierai d'appeler la CAF"): this sentence told of an
    attempt. A try at another flow ("I'll try the dentist again") leaves it alone. So
    does a next sentence saying this one's act is to be done again."""
    if not following:
        return False
    named = _named(following[0], flows)
    if completion.RETRY.search(following[0]):
        return not named or bool(named & _named(sentence, flows))
    # "j'ai renvoyé le colis... il faut encore le renvoyer": the same act to do again
    return named <= _named(sentence, flows) and completion.redoes(following[0], sentence)


def _named(text: str, flows: Sequence[OpenFlow]) -> set[str]:
    return {f.id for f in flows if linking.coverage(text, f) >= linking.MIN_COVERAGE}


def detect_operations(
    chat: Sequence[ChatMessage],
    flows: Sequence[OpenFlow],
    today: date,
    model: IntentReader | None = None,
) -> list[Operation]:
    """The changes the user's sentences state for the open flows (the last one per flow):
    by the cue patterns, else, when `model` is given, by what it reads in a clause
    (`bench/followup/learned.py`: a classifier that did not generalise better than the
    patterns on held-out folds, so the embedded default runs without one)."""
    found: dict[str, Operation] = {}
    by_id = {f.id: f for f in flows}
    for evidence, sentence in user_passages(chat, flows):
        if guards.is_question(sentence):
            continue
        ops = stated_ops(sentence)
        if Op.CANCEL not in ops and binding.REFUSAL.search(sentence):
            ops.append(Op.CANCEL)  # "I'm not renewing the gym": bound to its verb below
        if not ops and correction(sentence, flows) is not None:
            # "it's the train to porto, not a flight" (Y, not X) has no cue of its own; a
            # sentence with another cue ("non serve più andare ...") keeps that one
            ops = [Op.REFINE]
        if Op.REFINE in ops:  # a contrast ("not X but Y") is a correction or nothing
            ops = [Op.REFINE]
        elif Op.COMPLETE not in ops:  # the flow's own verb done is its cue (`_linked_with_cue`)
            ops.append(Op.COMPLETE)
        proposals: list[Operation | None] = [
            found_op for op in ops for found_op in _operations(op, sentence, flows, today)
        ]
        if model is not None and not any(proposals) and Op.REFINE not in ops:
            proposals = _learned(model, sentence, flows, today)
        changed: set[str] = set()
        for operation in proposals:
            if operation is None or operation.flow_id in changed:
                continue
            if decided_about(sentence, by_id[operation.flow_id], operation.op, flows):
                found[operation.flow_id] = replace(operation, evidence=evidence)
                changed.add(operation.flow_id)
    return list(found.values())


class IntentReader(Protocol):
    """Reads which change (or "none") a clause states about a flow, with a probability."""

    threshold: float

    def predict(self, clause: str, flow: OpenFlow) -> tuple[str, float]: ...


def _learned(
    model: IntentReader, sentence: str, flows: Sequence[OpenFlow], today: date
) -> list[Operation | None]:
    """What the learned model reads in the clauses that name exactly one flow."""
    out: list[Operation | None] = []
    for segment in guards.segments(sentence):
        flow = link(segment, flows)
        if flow is None:
            continue
        label, probability = model.predict(segment, flow)
        if label not in {o.value for o in Op} or probability < model.threshold:
            continue
        op = Op(label)
        if op is Op.RESCHEDULE:
            due = new_due(sentence, today)
            ok = due not in (None, flow.due)
            out.append(Operation(op, flow.id, sentence, due=due) if ok else None)
        elif op is Op.REPRIORITISE:
            priority = new_priority(sentence)
            ok = priority not in (None, flow.priority)
            out.append(Operation(op, flow.id, sentence, priority=priority) if ok else None)
        else:
            out.append(Operation(op, flow.id, sentence))
    return out


def _operations(op: Op, sentence: str, flows: Sequence[OpenFlow], today: date) -> list[Operation]:
    if op is Op.COMPLETE:
        return [Operation(op, flow.id, sentence) for flow in _linked_with_cue(op, sentence, flows)]
    if op is Op.CANCEL:  # the cue may stand in a clause bound to the one naming the flow
        return [Operation(op, flow.id, sentence) for flow in _linked(sentence, flows)]
    if op is Op.REFINE:
        fixed = correction(sentence, flows)
        return [] if fixed is None else [Operation(op, fixed[0].id, sentence, title=fixed[1])]
    out: list[Operation] = []
    for flow in _linked(sentence, flows):
        if op is Op.RESCHEDULE:
            due = binding.bound_due(sentence, flow, flows, today)
            if due is not None and due != flow.due:
                out.append(Operation(op, flow.id, sentence, due=due))
        else:
            priority = binding.bound_priority(sentence, flow, flows)
            if priority is not None and priority != flow.priority:
                out.append(Operation(op, flow.id, sentence, priority=priority))
    return out


def _linked(sentence: str, flows: Sequence[OpenFlow]) -> list[OpenFlow]:
    """The flows a clause of the sentence (or the whole sentence) names alone."""
    linked = {
        flow.id: flow
        for segment in [*binding.segments(sentence), sentence]
        for part in binding.objects(segment)
        if (flow := link(part, flows)) is not None
    }
    return list(linked.values())


def _linked_with_cue(op: Op, sentence: str, flows: Sequence[OpenFlow]) -> list[OpenFlow]:
    """The flows each named alone in a clause that carries the cue for `op` ("booked the
    flight, the hotel is next" completes the flight only; "paid the bill and sent the
    photos" both). For a completion the flow's own verb in a done form acting on its
    object is a cue too ("the hansen invoice has been paid", "l'ho pagata"): the proposal
    asks what the judgement (`completion.verb_fits`) asks, no list of cue words."""
    linked = {
        flow.id: flow
        for segment in binding.segments(sentence)
        for part in binding.objects(segment)
        if (flow := link(part, flows)) is not None
        and (op in stated_ops(segment) or binding.cue_spans(op, segment, flow)
             or (op is Op.COMPLETE and completion.verb_fits(segment, flow)))
    }  # fmt: skip
    return list(linked.values())
