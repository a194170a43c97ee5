"""Which of a follow-up turn's candidate clauses may become new flows.

On a turn with open flows, much of what the user says is about those flows: a change
("scratch the cake order"), its reason ("die haben mich grad angerufen"), a plan for it
("je vais passer à la pharmacie"), a detail ("still from the same bakery"). The clause
classifier was trained on chats with nothing open, so it reads many such clauses as new
tasks. A candidate is left out when the sentence it stands in is about an open flow:

- the sentence is the evidence of a change the turn makes (`operations`);
- the sentence names an open flow (`linking.coverage` of the whole sentence);
- the sentence names none and points back at the one before it, which is about an open
  flow (`binding.points_back`: "sempre per sabato però" after the correction).

A clause that carries its own task cue ("need to", "tengo que") and does not point back
keeps its chance even in such a sentence ("sent the invoice, and I need to call the
bank"): the classifier decides it, and `restated` whether it is an open flow again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from my_flow_api.models.conversation import MessageRole
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.extraction.clauses import lines, sentences
from my_flow_api.services.extraction.cues import find_cue
from my_flow_api.services.extraction.followup import binding
from my_flow_api.services.extraction.followup.linking import MIN_COVERAGE, coverage
from my_flow_api.services.extraction.followup.operations import OpenFlow, Operation
from my_flow_api.services.extraction.learned.spans import Span
from my_flow_api.services.extraction.text import fold
from my_flow_api.services.extraction.voice import user_voice


def _key(text: str) -> str:
    return " ".join(fold(text).strip(" .!?…,;:").split())


def names_open_flow(text: str, flows: Sequence[OpenFlow]) -> bool:
    """Whether the text names an open flow (covers at least half of its object)."""
    return any(coverage(text, f) >= MIN_COVERAGE for f in flows)


def about_open_flows(
    chat: Sequence[ChatMessage], flows: Sequence[OpenFlow], operations: Sequence[Operation]
) -> set[str]:
    """The user's sentences (normalised) that are about an open flow."""
    evidence = [_key(op.evidence) for op in operations]
    about: set[str] = set()
    for message in chat:
        if message.role is not MessageRole.USER:
            continue
        said = [s for line in lines(user_voice(message.content)) for s in sentences(line.text)]
        before = False
        for sentence in said:
            key = _key(sentence)
            now = (
                any(key and (key in e or e in key) for e in evidence if e)
                or names_open_flow(sentence, flows)
                or (before and binding.points_back(sentence, flows))
            )
            if now:
                about.add(key)
            before = now
    return about


def own_task(span: Span) -> bool:
    """A clause with its own task cue that does not point back ("now I have to paint the
    fence" after "got the paint"), or the clause a cue of its sentence leads into ("il
    faut | que je prenne rendez-vous"); whether it restates an open flow is
    `restated`'s to say."""
    clause = span.clause
    if find_cue(clause, span.language) is None:
        cue = find_cue(span.context, span.language)
        head = _key(clause)[:24]
        if cue is None or not head or head not in _key(cue.task):
            return False
    first = binding.segments(clause)[:1]
    return not (first and binding.ANAPHOR.search(first[0]))


def new_flow_filter(
    chat: Sequence[ChatMessage], flows: Sequence[OpenFlow], operations: Sequence[Operation]
) -> Callable[[Span], bool]:
    """A predicate: whether a candidate is left out as being about an open flow."""
    about = about_open_flows(chat, flows, operations)

    def skip(span: Span) -> bool:
        return _key(span.context) in about and not own_task(span)

    return skip
