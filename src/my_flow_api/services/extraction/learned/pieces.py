"""Finer candidates than clauses, for run-on dictation, and the task phrase of each.

"okay um so tomorrow I need to drop off the package at UPS and also like call the vet"
holds two tasks the clause splitter (which splits only where a new predicate starts in
the languages it knows) leaves together. Run-ons are also cut at every connective, and
each piece starts at its task: after fillers and the task cue ("I need to").
"""

from __future__ import annotations

import re
from functools import lru_cache

from my_flow_api.services.extraction.cues import find_cue

RUN_ON_WORDS = 9
"""A clause this long may hold more than one task: it is also cut at connectives."""
HEAD_WORDS = 8
_I = re.IGNORECASE
_CONNECTIVE = re.compile(
    r"\s*[,;]?\s+(?:and\s+then|and\s+also|and\s+(?:um+|uh+)|oh\s+and|oh\s+yeah|also|plus|then|"
    r"after\s+that|and|e\s+poi|poi|e\s+anche|inoltre|e\s+depois|depois|e\s+também|além\s+disso|"
    r"y\s+luego|luego|además|y\s+también|und\s+dann|dann|außerdem|et\s+puis|puis|ensuite|"
    r"et\s+aussi|e|y|und|et)\s+",
    _I,
)
_FILLER = re.compile(
    r"^(?:ok(?:ay)?|um+|uh+|erm|so|like|well|oh|yeah|yes|and|also|then|just|right|anyway|"
    r"tomorrow|today|allora|dunque|quindi|poi|e|ah|giusto|cioè|tipo|bueno|pues|entonces|y|"
    r"luego|vale|también|na|und|ja|also|dann|alors|bon|et|euh|donc|puis|então|aí|né|"
    r"depois|pronto|olha|nota\s+vocale|promemoria\s+vocale)\b[\s,.:;!-]*",
    _I,
)
_TRAILING_ASIDE = re.compile(
    r"\s+(?:like|they|which|since|because|bc|cuz|coz|cause|as\s+they|perché|perche|che\s+non|"
    r"porque|weil|parce\s+que|pois|que\s+(?:eles|elas|ele|ela))\b.*$",
    _I,
)
_FRENCH_ASIDE = re.compile(r"\s+car\b.*$", _I)
"""French "car" (because) ends a task only in French: "renew the car registration" lost
all but "renew the"."""


def pieces(clause: str) -> list[str]:
    """The pieces of a long clause between connectives, and what follows a short lead
    ending in a colon ("put these in w dates pls: recycling out tonight")."""
    out: list[str] = []
    head, colon, tail = clause.partition(":")
    if colon and tail.strip() and len(head.split()) <= HEAD_WORDS:
        out.append(tail.strip())
    if len(clause.split()) >= RUN_ON_WORDS:
        out += [p.strip(" ,;.") for p in _CONNECTIVE.split(clause)]
    return [p for p in out if len(p.split()) >= 2 and p != clause]


@lru_cache(maxsize=8192)
def task_phrase(clause: str, language: str) -> tuple[str, bool]:
    """Where the clause's task starts (after fillers and its cue), and whether a cue led."""
    text = clause
    previous = None
    while previous != text:
        previous = text
        text = _FILLER.sub("", text).strip()
    cue = find_cue(text, language)
    if cue is not None and cue.task.strip():
        text = cue.task.strip()
    if len(text.split()) > 4:
        text = _TRAILING_ASIDE.sub("", text)
        if language == "fr":
            text = _FRENCH_ASIDE.sub("", text)
    return text, cue is not None
