"""Candidate tasks and the details later sentences add (merging them: `dedup`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from my_flow_api.models.flow import FlowPriority
from my_flow_api.services.extraction.dates import due_date
from my_flow_api.services.extraction.filters import is_question
from my_flow_api.services.extraction.lexicon import things
from my_flow_api.services.extraction.priority import stated_priority
from my_flow_api.services.extraction.text import content_words, overlap

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
