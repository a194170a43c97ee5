"""The tasks of one sentence of the user's."""

from __future__ import annotations

import re
from datetime import date

from my_flow_api.services.extraction.candidates import Candidate
from my_flow_api.services.extraction.clauses import clauses
from my_flow_api.services.extraction.cues import find_cue
from my_flow_api.services.extraction.dates import due_date, find_dates
from my_flow_api.services.extraction.filters import is_question, rules_out
from my_flow_api.services.extraction.lexicon import ASSISTANT_VERBS, starts_with_verb
from my_flow_api.services.extraction.priority import stated_priority
from my_flow_api.services.extraction.text import content_words, fold
from my_flow_api.services.extraction.titles import make_title

TERSE_WORDS = 6
_LEADING = re.compile(
    r"^(?:(?:and|also|oh|plus|then|ok|so|y|und|et|aussi|también|que\s+je|que\s+j['’]|que)\b"
    r"[\s,]*)+",
    re.I,
)
_ASIDE = re.compile(r"\([^)]*\)")
_QUOTED_TASK = re.compile(r"[\"“‘']([^\"”’']{3,60})[\"”’']")
_HEADER = re.compile(
    r"^\W*(?:to-?dos?|to\s+do|todo\s+list|tasks?|reminders?|things\s+to\s+do|my\s+list|"
    r"à\s+faire|tâches?|pendientes?|tareas?|por\s+hacer|aufgaben|erledigen|"
    r"important|urgent|asap|whenever[\w\s]*|no\s+rush|wichtig|dringend|urgente|"
    r"(?:by|before|on)\s+\w+|tomorrow|today|tonight)\W*$",
    re.I,
)


def sentence_tasks(
    sentence: str, language: str, today: date, *, listed: bool, in_task_turn: bool = False
) -> list[Candidate]:
    """Candidates for the sentence's task clauses (none for a question to the assistant).

    `listed`: the sentence is a list item; `in_task_turn`: the message already stated a
    task, so a bare imperative ("oh and pick up bread") continues the list.
    """
    if is_question(sentence):
        return []
    if _is_terse_note(sentence, language, today):
        return _candidates(sentence, [(sentence, sentence)], language, today)
    found: list[tuple[str, str]] = []
    base = listed or in_task_turn
    continuing = base
    for clause in clauses(sentence, language):
        cue = find_cue(clause, language)
        if cue is not None:
            phrase = cue.task
        elif (continuing or _is_note(clause, language, today)) and _imperative(clause, language):
            phrase = _LEADING.sub("", clause)
        else:
            continuing = base or bool(_HEADER.match(clause))
            continue
        continuing = True
        if rules_out(_ASIDE.sub(" ", clause), language) is None:
            found.append((clause, phrase))
    if not found and (quoted := _QUOTED_TASK.search(sentence)) and _imperative(quoted[1], language):
        found.append((sentence, quoted[1]))
    return _candidates(sentence, found, language, today)


def _candidates(
    sentence: str, found: list[tuple[str, str]], language: str, today: date
) -> list[Candidate]:
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


def _imperative(clause: str, language: str) -> bool:
    """A verb-first clause that notes a task rather than asking the assistant for one."""
    clause = _LEADING.sub("", clause)
    words = fold(clause).split()
    if not words or words[0] in ASSISTANT_VERBS:
        return False
    if len(words) > 1 and words[1] in {"me", "us", "mir", "moi", "me,"}:
        return False
    return starts_with_verb(clause, language)


def _is_note(clause: str, language: str, today: date) -> bool:
    """A terse note to self: an imperative with a date ("call mum tomorrow"). German
    is left out: its verb-last test also fits participles ("wird verschoben")."""
    if language == "de":
        return False
    return bool(find_dates(clause, today)) and _imperative(clause, language)


def _is_terse_note(sentence: str, language: str, today: date) -> bool:
    """A few words and a date, no verb: "dentist thursday 3pm"."""
    mentions = find_dates(sentence, today)
    if not mentions or len(sentence.split()) > TERSE_WORDS or find_cue(sentence, language):
        return False
    rest = sentence
    for mention in reversed(mentions):
        rest = rest[: mention.start] + " " + rest[mention.end :]
    words = rest.split()
    return 0 < len(words) <= 3 and not _imperative(rest, language) and bool(content_words(rest))


def _fronted(sentence: str) -> bool:
    """Whether a date opens the sentence ("By Friday I need to … and …")."""
    mentions = find_dates(sentence, date.today())
    return bool(mentions) and mentions[0].start <= 3
