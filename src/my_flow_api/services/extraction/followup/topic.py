"""A flow named as a topic, then done in the next clause: "the electricity bill — paid it
last night", "la factura de la luz, la pagué anoche", "die Stromrechnung: hab ich gestern
bezahlt", "a conta de luz, já paguei".

The separator cuts the verb off from the thing it acts on, so neither clause alone says
the flow is done. When the first clause is only the topic (every content word is the
flow's title's, or an interjection) and the next names no open flow, the two are read as
one clause, which then goes through every check a clause does (tense, agent, negation,
plan, part): "the rent, Marco paid it" is still Marco's act, "the flight, still need to
book it" still a plan.
"""

from __future__ import annotations

from collections.abc import Sequence

from my_flow_api.services.extraction.followup import guards
from my_flow_api.services.extraction.followup.linking import (
    LETTERS,
    MIN_COVERAGE,
    content_words,
    coverage,
    object_words,
)
from my_flow_api.services.extraction.followup.operations import OpenFlow
from my_flow_api.services.extraction.text import shares, stem

INTERJECTIONS = frozenset(
    """
    oh ok okay so and yeah yes re about also anyway btw well um uh
    bueno pues vale lo del sobre ah bon alors quant ja also na naja
    allora beh ecco quanto sobre entao então bem ai
    """.split()
)
"""Words that may open a topic without adding a thing ("oh the electricity bill", "bueno,
lo de la luz", "allora, la bolletta")."""
MAX_TOPIC_WORDS = 8


def bare_topic(clause: str, flow: OpenFlow) -> bool:
    """Whether the clause is only the flow named: it names it, is short, and each of its
    content words is a word of what the title is about (or an interjection), not its
    verb ("sorted the insurance" is a report, not a topic)."""
    words = clause.split()
    if not words or len(words) > MAX_TOPIC_WORDS or coverage(clause, flow) < MIN_COVERAGE:
        return False
    stems = object_words(flow.title)
    return all(w in INTERJECTIONS or shares(stem(w), stems) for w in content_words(clause))


_ARTICLES = frozenset(
    "the a an this that el la los las un una le les une il lo gli uno o os as um uma "
    "der die das den dem ein eine einen".split()
)
_PREPOSITIONS = frozenset(
    "through via with by on at in for from to into con por para en de del avec par pour "
    "sur dans mit über uber per su da em com pelo pela no na auf im am".split()
)


_THIRD_AUXILIARY = frozenset("hat hatte haben hatten ha hanno han".split())
"""A third person's auxiliary: someone else did it (the user's are "hab", "ho", "he")."""


def _own_report(clause: str, title: str) -> bool:
    """Whether the clause after a topic can be the user's report on it: no one else its
    subject ("Marco paid it", "mon mari l'a payée": `guards.states_decided_change`) and
    no thing of its own after a verb ("paid *the* gas one", "pagué *la* del agua",
    "booked *a* hotel"); an article after a preposition is a circumstance ("through the
    app"), one opening the clause a pronoun ("la pagué anoche")."""
    if not guards.states_decided_change(clause, title):
        return False
    words = [w.casefold() for w in LETTERS.findall(clause)]
    if any(w in _THIRD_AUXILIARY for w in words):
        return False  # "hat mein Mann bezahlt", "l'ha pagata Marco", "la ha pagado Ana"
    return not any(
        w in _ARTICLES and words[i - 1] not in _PREPOSITIONS for i, w in enumerate(words) if i
    )


def with_topic(parts: Sequence[str], flow: OpenFlow, flows: Sequence[OpenFlow]) -> list[str]:
    """The clauses, each bare topic of the flow joined to the clause after it when that
    one names no open flow ("the electricity bill", "paid it last night" -> "the
    electricity bill paid it last night")."""
    out: list[str] = []
    skip = False
    for i, part in enumerate(parts):
        if skip:
            skip = False
            continue
        nxt = parts[i + 1] if i + 1 < len(parts) else None
        if (
            nxt is not None
            and bare_topic(part, flow)
            and all(coverage(nxt, f) < MIN_COVERAGE for f in flows)
            and _own_report(nxt, flow.title)
        ):
            out.append(f"{part} {nxt}")
            skip = True
        else:
            out.append(part)
    return out
