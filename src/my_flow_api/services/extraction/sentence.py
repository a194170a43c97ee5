"""The tasks of one sentence of the user's."""

from __future__ import annotations

import re
from datetime import date

from my_flow_api.services.extraction.candidates import Candidate
from my_flow_api.services.extraction.clauses import clauses
from my_flow_api.services.extraction.cues import find_cue
from my_flow_api.services.extraction.dates import date_spans, due_date, find_dates
from my_flow_api.services.extraction.filters import is_question, rules_out
from my_flow_api.services.extraction.lexicon import LEAD_IN, imperative
from my_flow_api.services.extraction.notes import list_items, obligation, pointing_back, terse_note
from my_flow_api.services.extraction.priority import stated_priority
from my_flow_api.services.extraction.titles import make_title

_ASIDE = re.compile(r"\([^)]*\)")
_QUOTED_TASK = re.compile(r"^\W*(?:and\s+|also\s+)?[\"“‘']([^\"”’']{3,60})[\"”’'](?:\W|$)")
_TO_ASSISTANT = re.compile(r"^\W*(?:tell|ask|show|give|send)\s+(?:you|u|ya)\b", re.I)
"""A "task" whose object is the assistant ("I have to tell you about the weekend")."""
_HEADER = re.compile(
    r"^\W*(?:important|urgent|asap|whenever[\w\s]*|no\s+rush|wichtig|dringend|urgente|"
    r"(?:by|before|on)\s+\w+|tomorrow|today|tonight)\W*$",
    re.I,
)
Found = list[tuple[str, str]]


def sentence_tasks(
    sentence: str,
    language: str,
    today: date,
    *,
    listed: bool,
    continuing: bool = False,
    terse: bool = False,
) -> list[Candidate]:
    """Candidates for the sentence's task clauses (none for a question to the assistant).

    `listed`: the sentence is an item of a list of tasks; `continuing`: the user has been
    stating tasks, so a bare imperative ("oh and pick up bread") continues them; `terse`:
    the message is a short note, so a few words and a date are a task ("dentist thu 3pm").
    """
    if is_question(sentence):
        return []
    items = list_items(sentence)
    if items is not None:
        return _candidates(sentence, [(i, i) for i in items if not _ruled_out(i, language)],
                           language, today)  # fmt: skip
    note = None if find_cue(sentence, language) or not terse else terse_note(sentence, today)
    if note is not None or (listed and not imperative(sentence, language)):
        if _ruled_out(sentence, language):
            return []
        return _candidates(sentence, [(sentence, note or sentence)], language, today)
    return _candidates(sentence, _clause_tasks(sentence, language, today, listed or continuing),
                       language, today)  # fmt: skip


def _clause_tasks(sentence: str, language: str, today: date, base: bool) -> Found:
    found: Found = []
    continuing, previous = base, ""
    for clause in clauses(sentence, language):
        phrase = _phrase(clause, previous, language, today, continuing)
        previous = clause
        if phrase is None:
            continuing = base or bool(_HEADER.match(clause))
            continue
        continuing = True
        if not _ruled_out(_head(clause, phrase), language):
            found.append((clause, phrase))
    if not found and (quoted := _QUOTED_TASK.match(sentence)) and imperative(quoted[1], language):
        found.append((sentence, quoted[1]))
    return found


def _phrase(clause: str, previous: str, language: str, today: date, continuing: bool) -> str | None:
    cue = find_cue(clause, language)
    if cue is not None:
        if _TO_ASSISTANT.match(cue.task):
            return None
        return pointing_back(cue.task, previous) or cue.task
    noted = continuing or (bool(find_dates(clause, today)) and language != "de")
    if noted and imperative(clause, language):
        return LEAD_IN.sub("", clause)
    return obligation(LEAD_IN.sub("", clause))


def _head(clause: str, phrase: str) -> str:
    """The clause up to the first comma after its task: what follows is an aside with its
    own subject ("…, der Vermieter wartet schon" says nothing of the task's time)."""
    start = clause.find(phrase[:20]) if phrase else -1
    comma = clause.find(",", max(start, 0) + len(phrase.split(",")[0]))
    return clause if comma < 0 else clause[:comma]


def _ruled_out(clause: str, language: str) -> bool:
    return rules_out(_ASIDE.sub(" ", clause), language) is not None


def _candidates(sentence: str, found: Found, language: str, today: date) -> list[Candidate]:
    shared_due = due_date(sentence, today) if len(found) > 1 and _fronted(sentence) else None
    shared_priority = stated_priority(sentence) if len(found) == 1 else None
    out = []
    for clause, phrase in found:
        title = make_title(phrase, language)
        if title is None:
            continue
        own = due_date(clause, today)
        due = own or shared_due or (due_date(sentence, today) if len(found) == 1 else None)
        priority = stated_priority(clause) or shared_priority
        out.append(Candidate.of(title, due, priority))
    return out


def _fronted(sentence: str) -> bool:
    """Whether a date opens the sentence ("By Friday I need to … and …")."""
    spans = date_spans(sentence)
    return bool(spans) and spans[0][0] <= 3
