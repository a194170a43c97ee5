"""Deterministic extraction: the user's own words in, their tasks out.

Each user turn is read in its own voice (injected material removed), line by line and
sentence by sentence. A clause with a task cue, or a verb-first clause that continues one
("… and call the client"), or a verb-first list item, becomes a candidate unless it is
negated, past, hypothetical or a question. Later sentences can take candidates back
("scratch the plumber"). Accepted assistant suggestions join in. Candidates naming the same
task are merged, keeping the first title and any stated date and priority.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime

from my_flow_api.models.conversation import MessageRole
from my_flow_api.models.flow import FlowCreate, FlowPriority
from my_flow_api.services.ai.base import ChatMessage
from my_flow_api.services.extraction.cancel import LAST_TASK, matches, taken_back
from my_flow_api.services.extraction.candidates import Candidate, add_details
from my_flow_api.services.extraction.clauses import lines, sentences
from my_flow_api.services.extraction.cues import find_cue
from my_flow_api.services.extraction.dates import due_date
from my_flow_api.services.extraction.dedup import merge
from my_flow_api.services.extraction.model_output import MAX_FLOWS
from my_flow_api.services.extraction.priority import stated_priority
from my_flow_api.services.extraction.sentence import sentence_tasks
from my_flow_api.services.extraction.suggestions import accepted_offers
from my_flow_api.services.extraction.text import guess_language
from my_flow_api.services.extraction.titles import make_title
from my_flow_api.services.extraction.voice import user_voice

TERSE_MESSAGE_WORDS = 12
"""A message this short may be a bare note: "ugh rent. due friday"."""
_TASK_HEADER = re.compile(
    r"(?:to-?dos?|\blists?\b|liste|lista|prep|plan|errands|tasks?|things|deadlines|remember|"
    r"reminders?|forget|need|have\s+to|must|pendientes?|tareas?|aufgaben|erledigen|"
    r"à\s+faire|tâches|semaine|weekend|morgen|mañana|demain|tomorrow|today|week)[^:]*:\s*$",
    re.IGNORECASE,
)


def extract_by_rules(
    chat: Sequence[ChatMessage], today: date, context_id: str | None
) -> list[FlowCreate]:
    """The user's tasks in `chat`, in the order they were first stated (at most 10)."""
    found: list[Candidate] = []
    voices = {i: user_voice(m.content) for i, m in enumerate(chat) if m.role is MessageRole.USER}
    spoken = guess_language(" ".join(m.content for m in chat))
    for index, voice in voices.items():
        language = guess_language(voice, spoken)
        previous = chat[index - 1] if index else None
        accepted: list[Candidate] = []
        if previous is not None and previous.role is MessageRole.ASSISTANT:
            accepted = _accepted(previous.content, voice, language, today)
        found = _read_turn(voice, language, today, found, accepted)
    return [_to_flow(c, context_id) for c in merge(found)[:MAX_FLOWS]]


def _read_turn(
    voice: str, language: str, today: date, found: list[Candidate], accepted: list[Candidate]
) -> list[Candidate]:
    start = len(found)
    found = found + accepted
    header: str | None = None
    terse = len(voice.split()) <= TERSE_MESSAGE_WORDS
    for line in lines(voice):
        if line.nested:
            continue
        under = line.listed and header is not None
        for sentence in sentences(line.text):
            found = _take_back(found, sentence, language)
            start = min(start, len(found))
            tasks = sentence_tasks(
                sentence,
                language,
                today,
                listed=under,
                continuing=line.listed or bool(found),
                terse=terse or line.listed,
            )
            if not tasks and len(found) > start:
                found[start:] = add_details(found[start:], sentence, today)
            if under and header is not None and (due := due_date(header, today)):
                tasks = [t.with_due(due) for t in tasks]
            found += tasks
        if terse and len(found) == start and not line.listed and not find_cue(line.text, language):
            found += sentence_tasks(line.text, language, today, listed=False, terse=True)
        if not line.listed:
            header = line.text if _TASK_HEADER.search(line.text) else None
    return found


def _take_back(found: list[Candidate], sentence: str, language: str) -> list[Candidate]:
    for what in taken_back(sentence, language):
        if what == LAST_TASK:
            found = found[:-1]
        else:
            found = [c for c in found if not matches(what, c.words)]
    return found


def _accepted(assistant_text: str, reply: str, language: str, today: date) -> list[Candidate]:
    """The proposals of the assistant's turn that the reply takes, dated by the reply."""
    picked = accepted_offers(assistant_text, reply, language)
    if not picked:
        return []
    first = sentences(reply)[0]
    due, priority = due_date(first, today), stated_priority(first)
    titles = (make_title(phrase, language) for phrase in picked)
    return [Candidate.of(title, due, priority) for title in titles if title]


def _to_flow(candidate: Candidate, context_id: str | None) -> FlowCreate:
    due = candidate.due
    return FlowCreate(
        title=candidate.title,
        priority=candidate.priority or FlowPriority.MEDIUM,
        due_date=datetime(due.year, due.month, due.day, tzinfo=UTC) if due else None,
        context_id=context_id,
    )
