"""Which open flow a sentence is about: the words of its object, not its verb.

A flow's object is its title's content words without the verb ("Book a flight to
Lisbon" is about {flight, lisbon}). A sentence names the flow when it covers at least
half of the object and no other open flow as well; a sentence that puts another
qualifier on the shared noun ("paid the *gas* bill" against "Pay the electricity bill")
names a different thing unless it covers the whole object.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from my_flow_api.services.extraction.followup.operations import OpenFlow
from my_flow_api.services.extraction.text import STOPWORDS, shares, stem, words

MIN_COVERAGE = 0.5
_GERMAN_VERB_END = re.compile(r"^[a-zäöüß]{3,}(?:en|ern|eln)$")
_FILLER = frozenset(
    """
    today yesterday tonight morning tomorrow week weekend monday tuesday wednesday thursday
    friday saturday sunday thing finally already ago last next night hoy ayer mañana heute
    gestern morgen aujourd hier demain oggi ieri domani hoje ontem amanhã amanha lol haha
    """.split()
)


def object_words(title: str) -> set[str]:
    """The stems of what a flow is about: its title's content words without its verb."""
    tokens = [w for w in words(title) if w not in STOPWORDS and len(w) > 1]
    if len(tokens) > 1:
        tokens = tokens[:-1] if _GERMAN_VERB_END.match(tokens[-1]) else tokens[1:]
    return {stem(w) for w in tokens}


def title_verb(title: str) -> str | None:
    """The stem of a title's verb: its first word (or a German title's last infinitive)."""
    tokens = [w for w in words(title) if w not in STOPWORDS and len(w) > 1]
    if not tokens:
        return None
    return stem(tokens[-1] if _GERMAN_VERB_END.match(tokens[-1]) else tokens[0])


def coverage(sentence: str, flow: OpenFlow) -> float:
    """The share of the flow's object the sentence names; 0 with another qualifier on it."""
    wanted = object_words(flow.title)
    if not wanted:
        return 0.0
    said = [stem(w) for w in words(sentence) if w not in STOPWORDS and len(w) > 1]
    pool = set(said)
    covered = sum(1 for w in wanted if shares(w, pool)) / len(wanted)
    if 0 < covered < 1 and _other_qualifier(said, wanted, flow.title):
        return 0.0
    return covered


def _other_qualifier(said: list[str], wanted: set[str], title: str) -> bool:
    """A content word right next to a named object word that the title does not have."""
    title_words = {stem(w) for w in words(title)}
    for i, word in enumerate(said):
        if not shares(word, wanted):
            continue
        for j in (i - 1, i + 1):
            if 0 <= j < len(said):
                near = said[j]
                if near in _FILLER or shares(near, title_words) or near.isdigit():
                    continue
                if len(near) >= 3:
                    return True
    return False


def link(sentence: str, flows: Sequence[OpenFlow]) -> OpenFlow | None:
    """The one open flow the sentence names, or None (none, or two equally)."""
    scored = sorted(((coverage(sentence, f), i) for i, f in enumerate(flows)), reverse=True)
    if not scored or scored[0][0] < MIN_COVERAGE:
        return None
    if len(scored) > 1 and scored[1][0] >= scored[0][0]:
        return None
    return flows[scored[0][1]]
