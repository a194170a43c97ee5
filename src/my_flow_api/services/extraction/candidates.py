"""Candidate tasks, and merging the ones that name the same task."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from my_flow_api.models.flow import FlowPriority
from my_flow_api.services.extraction.dates import due_date
from my_flow_api.services.extraction.filters import is_question
from my_flow_api.services.extraction.priority import stated_priority
from my_flow_api.services.extraction.text import content_words, overlap

SAME_TASK = 0.75
"""Content-word overlap from which two candidates are taken to be one task."""
FOLLOW_UP_WORDS = 8


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

    def with_details(self, sentence: str, today: date) -> Candidate:
        """This candidate with a date or priority that a follow-up sentence states."""
        return replace(
            self,
            due=self.due or due_date(sentence, today),
            priority=self.priority or stated_priority(sentence),
        )


def is_follow_up(sentence: str) -> bool:
    """A short, non-question sentence that may add a detail to the task before it
    ("It's urgent.", "By Friday please.")."""
    return len(sentence.split()) <= FOLLOW_UP_WORDS and not is_question(sentence)


def merge(candidates: list[Candidate]) -> list[Candidate]:
    """One candidate per task, in first-mention order; details from later mentions fill in."""
    merged: list[Candidate] = []
    for candidate in candidates:
        for i, kept in enumerate(merged):
            if overlap(set(kept.words), set(candidate.words)) >= SAME_TASK:
                merged[i] = replace(
                    kept,
                    due=kept.due or candidate.due,
                    priority=kept.priority or candidate.priority,
                )
                break
        else:
            merged.append(candidate)
    return merged
