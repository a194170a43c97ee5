"""Candidate tasks, and merging the ones that name the same task."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from my_flow_api.models.flow import FlowPriority
from my_flow_api.services.extraction.dates import due_date
from my_flow_api.services.extraction.filters import is_question
from my_flow_api.services.extraction.lexicon import VERB_STEMS, things
from my_flow_api.services.extraction.priority import stated_priority
from my_flow_api.services.extraction.text import content_words, overlap

SAME_TASK = 0.75
"""Content-word overlap from which two candidates are taken to be one task."""
FOLLOW_UP_WORDS = 8
NAMES_TASK = 0.5


@dataclass(frozen=True, slots=True)
class Candidate:
    """A task found in the conversation: its title, content words, date and priority."""

    title: str
    words: frozenset[str]
    due: date | None
    priority: FlowPriority | None

    @classmethod
    def of(cls, title: str, due: date | None, priority: FlowPriority | None) -> Candidate:
        """A candidate whose content words come from its title."""
        return cls(title, frozenset(content_words(title)), due, priority)

    def with_due(self, due: date) -> Candidate:
        """This candidate, due on `due` unless it states its own date."""
        return replace(self, due=self.due or due)

    def with_details(self, sentence: str, today: date) -> Candidate:
        """This candidate with a date or priority that a follow-up sentence states."""
        return replace(
            self,
            due=self.due or due_date(sentence, today),
            priority=self.priority or stated_priority(sentence),
        )


def add_details(turn: list[Candidate], sentence: str, today: date) -> list[Candidate]:
    """The turn's candidates with the date or priority of a sentence that states no task
    of its own: for the candidate the sentence names ("also the Lisbon flights, by
    Friday"), or, when it is short and names none ("It's urgent."), the latest one."""
    if is_question(sentence):
        return turn
    about = things(sentence)
    named = [i for i, c in enumerate(turn) if overlap(set(c.words), about) >= NAMES_TASK]
    if not named and len(sentence.split()) <= FOLLOW_UP_WORDS:
        named = [len(turn) - 1]
    return [c.with_details(sentence, today) if i in named else c for i, c in enumerate(turn)]


def _same_task(a: Candidate, b: Candidate) -> bool:
    """Mostly the same words, or the same thing where at most one says what to do with
    it ("Pick up my prescription" and "the prescription pickup", but not "Call the bank"
    and "Visit the bank")."""
    if overlap(set(a.words), set(b.words)) >= SAME_TASK:
        return True
    verbs_a, verbs_b = a.words & VERB_STEMS, b.words & VERB_STEMS
    if verbs_a and verbs_b and not verbs_a & verbs_b:
        return False
    return overlap(set(a.words - VERB_STEMS), set(b.words - VERB_STEMS)) >= SAME_TASK


def same_task(title: str, other: str) -> bool:
    """Whether two titles name one task ("Pick up my prescription", "Prescription pickup")."""
    return _same_task(Candidate.of(title, None, None), Candidate.of(other, None, None))


def merge(candidates: list[Candidate]) -> list[Candidate]:
    """One candidate per task, in first-mention order; details from later mentions fill in."""
    merged: list[Candidate] = []
    for candidate in candidates:
        for i, kept in enumerate(merged):
            if _same_task(kept, candidate):
                merged[i] = replace(
                    kept,
                    due=kept.due or candidate.due,
                    priority=kept.priority or candidate.priority,
                )
                break
        else:
            merged.append(candidate)
    return merged
