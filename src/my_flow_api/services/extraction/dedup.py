"""De-duplication, in one place: when two mentions are one task.

- `merge`: the rules' candidates of one conversation;
- `unique_flows`: a model's proposed flows;
- `not_open`: new flows against the context's open flows.

The repositories' `create_unique` keeps one last, atomic check (same normalised title
under the context's lock) for two turns of one context racing each other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from my_flow_api.models.flow import FlowCreate
from my_flow_api.services.extraction.candidates import Candidate
from my_flow_api.services.extraction.lexicon import VERB_STEMS
from my_flow_api.services.extraction.text import overlap

_NUMBER = re.compile(r"\d+")
SAME_TASK = 0.75
"""Content-word overlap from which two candidates are taken to be one task."""


def same_candidate(a: Candidate, b: Candidate) -> bool:
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
    """Whether two titles name one task ("Pick up my prescription", "Prescription pickup");
    never when they carry different numbers ("Pay invoice 1043", "Pay invoice 1044")."""
    if _NUMBER.findall(title) != _NUMBER.findall(other):
        return False
    return same_candidate(Candidate.of(title, None, None), Candidate.of(other, None, None))


def merge(candidates: list[Candidate]) -> list[Candidate]:
    """One candidate per task, in first-mention order; details from later mentions fill in."""
    merged: list[Candidate] = []
    for candidate in candidates:
        for i, kept in enumerate(merged):
            if same_candidate(kept, candidate):
                merged[i] = replace(
                    kept,
                    due=kept.due or candidate.due,
                    priority=kept.priority or candidate.priority,
                )
                break
        else:
            merged.append(candidate)
    return merged


def unique_flows(flows: Iterable[FlowCreate]) -> list[FlowCreate]:
    """The first flow of each task, in order."""
    kept: list[FlowCreate] = []
    for flow in flows:
        if not any(same_task(flow.title, other.title) for other in kept):
            kept.append(flow)
    return kept


def not_open(candidates: Iterable[FlowCreate], open_titles: Iterable[str]) -> list[FlowCreate]:
    """The candidates that name no task already open (an earlier turn's "Call the bank"
    and this turn's "Ring the bank about the card")."""
    titles = list(open_titles)
    return [c for c in candidates if not any(same_task(c.title, t) for t in titles)]
